"""The training widget, driven without a browser: it trains like the CLI and shows errors inside itself."""

from __future__ import annotations

import contextlib
import io

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
from autograd_lite.training.recipe import TrainConfig, run_training  # noqa: E402
from autograd_lite.viz.train_widget import train_widget  # noqa: E402


def test_xor_trains_in_the_widget_exactly_as_in_the_cli_recipe() -> None:
    box = train_widget(dataset="xor", hidden="4", activation="tanh", lr=0.1, batch_size="full", epochs=40)
    box.train_button.click()
    assert box.error.value == ""
    assert box.progress.value == 40
    assert box.status.value.startswith("done after 40 epochs: train accuracy 1.000")
    assert "no validation or test data" in box.status.value
    assert "xor: 4 points" in box.summary.value
    # the oracle: the CLI's own function with the same settings gives the same run, number for number
    with contextlib.redirect_stdout(io.StringIO()):
        cli = run_training(
            TrainConfig(
                dataset="xor",
                hidden=[4],
                activation="tanh",
                lr=0.1,
                batch_size=None,
                epochs=40,
                out=None,
                progress=False,
            )
        )
    assert box.result.history.train_loss == cli.history.train_loss
    assert box.result.accuracies == cli.accuracies == {"train": 1.0, "validation": None, "test": None}


def test_default_xor_settings_train_without_error() -> None:
    box = train_widget(dataset="xor", epochs=3)
    box.train_button.click()
    assert box.error.value == "" and box.status.value.startswith("done after 3 epochs")


def test_a_bad_setting_is_shown_in_the_widget_and_the_next_good_run_clears_it() -> None:
    box = train_widget(dataset="moons", hidden="16,x", epochs=2)
    box.train_button.click()
    assert "ValueError" in box.error.value and "bad entry &#x27;x&#x27;" in box.error.value
    assert box.result is None and not box.train_button.disabled
    box.hidden.value = "4"
    box.train_button.click()
    assert box.error.value == ""
    assert "validation accuracy" in box.status.value and "test accuracy" in box.status.value


def test_an_error_during_training_is_shown_and_the_button_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd_lite.viz import train_widget as module

    def fail(*args: object, **kwargs: object) -> None:
        raise OverflowError("loss overflowed on purpose")

    monkeypatch.setattr(module.LivePlot, "on_epoch_end", fail)
    box = train_widget(dataset="moons", hidden="4", epochs=2)
    box.train_button.click()
    assert "OverflowError" in box.error.value and "overflowed on purpose" in box.error.value
    assert not box.train_button.disabled


def test_labels_are_distinct_and_static_view_says_what_the_widget_is() -> None:
    box = train_widget()
    assert box.epochs.description != box.progress.description
    assert box.lr.description == "learning rate" and box.lr.style.description_width == "8.5em"
    assert "training widget" in box._repr_mimebundle_()["text/html"]
