"""Every rule carries its own code: `Rule.code` writes the forward and local derivatives as source.

The compiler reads nothing but this field, so here every rule of the table (and of every family,
such as `power(n)`, for several parameters) must have it, use only the functions of `CODE_NAMES`,
use no `and`/`or` nor chained comparison (so the text runs on NumPy arrays too), and compute the
same numbers as the rule's own `forward` and `local` at points inside its domain.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import math

import pytest

from autograd_lite import RULES, Rule
from autograd_lite.engine.rules import CODE_NAMES, literal, power

POWERS = [power(n) for n in (0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, 2.5, -0.5)]
ALL_RULES = [*RULES.values(), *POWERS]
POINTS = [0.3, -1.7, 1.3, 0.6, 2.0, -0.4]


def _arity(rule: Rule) -> int:
    """How many operands `rule.local(*inputs, out)` takes (3 for a variadic rule like sum)."""
    params = inspect.signature(rule.local).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 3
    return len(params) - 1


def _points(rule: Rule) -> list[tuple[float, ...]]:
    """Up to four operand tuples where the rule's forward succeeds."""
    found = []
    for xs in itertools.product(POINTS, repeat=_arity(rule)):
        try:
            rule.forward(*xs)
        except (ArithmeticError, ValueError):
            continue
        found.append(xs)
        if len(found) == 4:
            break
    return found


def _name(rule: Rule) -> str:
    return f"{rule.name}{rule.symbol if rule.name == 'pow' else ''}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=_name)
def test_every_rule_has_code_with_one_derivative_per_operand(rule: Rule) -> None:
    assert rule.code is not None, f"{rule.name} has no code: the compiler cannot write it"
    names = [f"x{i}" for i in range(_arity(rule))]
    forward, local = rule.code(*names, "out")
    assert isinstance(forward, str) and len(local) == len(names)


@pytest.mark.parametrize("rule", ALL_RULES, ids=_name)
def test_code_calls_only_known_functions_and_works_on_arrays(rule: Rule) -> None:
    assert rule.code is not None
    names = [f"x{i}" for i in range(_arity(rule))]
    forward, local = rule.code(*names, "out")
    for text in (forward, *local):
        tree = ast.parse(text, mode="eval")
        for node in ast.walk(tree):
            assert not isinstance(node, ast.BoolOp), f"{rule.name}: {text!r} uses and/or"
            assert not isinstance(node, ast.Compare) or len(node.ops) == 1, f"{rule.name}: chained {text!r}"
            if isinstance(node, ast.Call):
                assert isinstance(node.func, ast.Name) and node.func.id in CODE_NAMES, text
            if isinstance(node, ast.Name) and not isinstance(getattr(node, "ctx", None), ast.Store):
                assert node.id in {*names, "out", *CODE_NAMES}, f"{rule.name}: unknown name {node.id}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=_name)
def test_code_computes_what_the_rule_computes(rule: Rule) -> None:
    assert rule.code is not None
    points = _points(rule)
    assert points, f"no point in {rule.name}'s domain among {POINTS}"
    for xs in points:
        names = [f"x{i}" for i in range(len(xs))]
        env = {**CODE_NAMES, **dict(zip(names, xs))}
        forward, local = rule.code(*names, "out")
        out = eval(forward, env)  # noqa: S307 -- our own rule table's text
        assert math.isclose(out, rule.forward(*xs), rel_tol=1e-15, abs_tol=1e-300)
        env["out"] = out
        expected = rule.local(*xs, out)
        for text, want in zip(local, expected, strict=True):
            assert math.isclose(float(eval(text, env)), want, rel_tol=1e-14, abs_tol=1e-300), (xs, text)


def test_literal_writes_numbers_that_read_back_exactly() -> None:
    assert [literal(x) for x in (2.0, -1.0, 0.5, -0.25, 1e20)] == ["2", "(-1)", "0.5", "(-0.25)", "1e+20"]
    for x in (2.0, -1.0, 0.1, -3.3e-7, 1e20, 123456789.125):
        assert float(eval(literal(x))) == x  # noqa: S307


def test_constant_operands_keep_their_meaning_in_powers() -> None:
    """A negative operand is written in parentheses, so -3 ** 2 cannot become -(3 ** 2)."""
    code = power(2.0).code
    assert code is not None
    forward, (derivative,) = code(literal(-3.0), "out")
    assert eval(forward) == 9 and eval(derivative) == -6  # noqa: S307
