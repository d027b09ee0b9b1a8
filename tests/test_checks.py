"""One vocabulary of argument checks (engine/checks.py): one wording per mistake, in every module.

Each bad argument below is refused with ``"{op}: {name} must be {what}, got {value!r}"``: the message
names the operation and shows the offending value, and the error type says which mistake it was
(TypeError: the wrong kind of thing, a bool where a number belongs; ValueError: the right kind, out of
range). The last test keeps the bool-excluding check from being written again outside engine/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd_lite import SGD, Value, functional, gradcheck, set_grad_enabled
from autograd_lite.engine import checks
from autograd_lite.nn import checkpoint, losses
from autograd_lite.training.predict import is_classification


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: checks.boolean("op", "flag", 1), TypeError, "op: flag must be True or False, got 1"),
        (lambda: checks.boolean("op", "flag", None), TypeError, "op: flag must be True or False, got None"),
        (lambda: set_grad_enabled(0), TypeError, "set_grad_enabled: mode must be True or False, got 0"),
        (
            lambda: SGD([Value(1.0)], lr=0.1, momentum=0.5, nesterov="yes"),
            TypeError,
            "SGD: nesterov must be True or False, got 'yes'",
        ),
        (
            lambda: checkpoint.read_json("unused.json", max_bytes=True),
            TypeError,
            "read_json: max_bytes must be a positive integer, got True",
        ),
        (
            lambda: checkpoint.read_json("unused.json", max_bytes=0),
            ValueError,
            "read_json: max_bytes must be a positive integer, got 0",
        ),
        (
            lambda: losses.cross_entropy([1.0, 2.0], False),
            TypeError,
            "cross_entropy: target must be an integer from 0 to 1, got False",
        ),
        (
            lambda: losses.binary_cross_entropy(0.0, float("inf")),
            ValueError,
            "binary_cross_entropy: target must be a finite number >= 0.0 and <= 1.0, got inf",
        ),
        (
            lambda: gradcheck(lambda x: x, [True]),
            TypeError,
            "gradcheck: inputs[0] must be a finite number, got True",
        ),
        (
            lambda: functional.grad(lambda x: x)(False),
            TypeError,
            "grad: argument x0 must be a finite number, got False",
        ),
        (
            lambda: functional.grad(lambda x: x, argnums=True)(1.0),
            TypeError,
            "grad: argnums must be an int or a tuple of ints, got True",
        ),
        (
            lambda: functional.grad(lambda x: x, argnums=1)(1.0),
            ValueError,
            "grad: argnums must be an integer from -1 to 0, got 1",
        ),
    ],
)
def test_each_mistake_has_one_wording(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        call()
    assert type(caught.value) is error
    assert str(caught.value) == message


def test_is_classification_reads_int_labels_only() -> None:
    assert is_classification([0, 1, 2])
    assert not is_classification([0, 1.0])
    assert not is_classification([True, False])  # bools are not class labels


def test_the_checkpoint_loader_keeps_its_typed_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"format": "x"}')
    state = checkpoint.read_json(path)
    with pytest.raises(checkpoint.CheckpointError) as caught:
        checkpoint.architecture_of(state)
    assert isinstance(caught.value, ValueError)
    assert "checkpoint: missing key 'version'" in str(caught.value)


BOOL_EXCLUDING = re.compile(r"isinstance\([^)]*, bool\) or not isinstance|and not isinstance\([^)]*, bool\)")


def test_no_module_outside_the_engine_writes_the_bool_excluding_check_again() -> None:
    """`checks.is_number` / `is_integer` (or a check built on them) say it once; `Value`'s hot path
    keeps its own inline copy."""
    package = Path(checks.__file__).resolve().parents[1]
    found = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.parent.name != "engine"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BOOL_EXCLUDING.search(line)
    ]
    assert not found, "\n".join(found)
