"""Saving and loading an MLP as JSON: round trips, and every malformed checkpoint refused unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from autograd_lite.nn import MLP


def trained_like(seed: int = 0) -> MLP:
    model = MLP(2, [4, 3], activation="tanh", output_activation="sigmoid", seed=seed)
    for i, p in enumerate(model.parameters()):
        p.data += 0.01 * i  # non-zero biases too
    return model


def test_state_dict_layout() -> None:
    model = trained_like()
    state = model.state_dict()
    assert state["format"] == "autograd_lite.mlp" and state["version"] == 1
    assert state["architecture"] == {
        "nin": 2,
        "nouts": [4, 3],
        "activation": "tanh",
        "output_activation": "sigmoid",
    }
    assert list(state["parameters"]) == [name for name, _ in model.named_parameters()]
    assert state["parameters"]["L1.N2.b"] == model.layers[1].neurons[2].b.data
    json.dumps(state, allow_nan=False)  # JSON-able as it is


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = trained_like()
    path = tmp_path / "model.json"
    model.save(path)
    loaded = MLP.load(path)
    assert repr(loaded) == repr(model)
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]  # exact: JSON floats
    out, ref = loaded([0.3, -0.7]), model([0.3, -0.7])
    assert isinstance(out, list) and isinstance(ref, list)
    assert [v.data for v in out] == [v.data for v in ref]
    assert all(p.label == name for name, p in loaded.named_parameters())


def test_load_state_dict_into_an_existing_model() -> None:
    source, target = trained_like(seed=1), trained_like(seed=2)
    target.load_state_dict(source.state_dict())
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]


def broken(change) -> dict[str, Any]:
    state = copy.deepcopy(trained_like().state_dict())
    change(state)
    return state


def _set(path: list[str], value: Any):
    def change(state: dict[str, Any]) -> None:
        d = state
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return change


CASES = [
    (lambda s: s["parameters"].pop("L0.N3.b"), "missing key 'L0.N3.b'"),
    (_set(["parameters", "L9.N0.w0"], 1.0), "unexpected key 'L9.N0.w0'"),
    (_set(["parameters", "L0.N1.w1"], "0.5"), "'L0.N1.w1' is not a number"),
    (_set(["parameters", "L0.N1.w1"], None), "'L0.N1.w1' is not a number"),
    (_set(["parameters", "L0.N1.w1"], True), "'L0.N1.w1' is not a number"),
    (_set(["parameters", "L1.N0.b"], float("nan")), "'L1.N0.b' is not finite"),
    (_set(["parameters", "L1.N0.b"], float("inf")), "'L1.N0.b' is not finite"),
    (_set(["parameters"], [1.0, 2.0]), "parameters must be an object"),
    (_set(["format"], "torch"), "format must be 'autograd_lite.mlp'"),
    (_set(["version"], 2), "unsupported version 2"),
    (lambda s: s.pop("architecture"), "missing key 'architecture'"),
    (_set(["extra"], 1), "unexpected key 'extra'"),
    (_set(["architecture", "nouts"], [5, 3]), "nouts is \\[5, 3\\] in the checkpoint but \\[4, 3\\]"),
    (_set(["architecture", "activation"], "relu"), "activation is 'relu'"),
    (_set(["architecture", "nin"], -1), "nin must be a positive integer"),
]


@pytest.mark.parametrize("change, message", CASES)
def test_bad_state_dict_is_refused_and_changes_nothing(change, message: str) -> None:
    model = trained_like(seed=5)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(broken(change))
    assert [p.data for p in model.parameters()] == before


def test_metadata_is_allowed() -> None:
    model = trained_like(seed=5)
    state = trained_like().state_dict()
    state["metadata"] = {"epochs": 3}
    model.load_state_dict(state)
    assert model.parameters()[0].data == trained_like().parameters()[0].data


def test_malformed_json_names_the_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "autograd_lite.mlp",\n "version": 1,,}\n')
    with pytest.raises(ValueError, match=r"bad\.json: malformed JSON at line 2, column 15"):
        MLP.load(path)


def test_nan_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    state = trained_like().state_dict()
    state["parameters"]["L0.N0.b"] = "__nan__"
    text = json.dumps(state, indent=1).replace('"__nan__"', "NaN")  # what json.dumps writes for nan
    path.write_text(text)
    with pytest.raises(ValueError, match=r"nan\.json: NaN is not a finite number"):
        MLP.load(path)


def test_load_with_a_bad_architecture_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "arch.json"
    state = trained_like().state_dict()
    state["architecture"]["activation"] = "softplus"
    path.write_text(json.dumps(state))
    with pytest.raises(ValueError, match=r"arch\.json: MLP: activation must be one of .*got .softplus."):
        MLP.load(path)


def test_save_refuses_to_write_non_finite_numbers(tmp_path: Path) -> None:
    model = trained_like()
    state = model.state_dict()
    assert state["parameters"]["L0.N0.w0"] == model.parameters()[0].data
    model.parameters()[0].data = float("inf")  # only possible by writing .data directly
    with pytest.raises(ValueError):
        model.save(tmp_path / "inf.json")
