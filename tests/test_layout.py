"""The package layout: old module names still import the moved modules, and there are no import circles."""

import importlib

import pytest

import autograd_lite


@pytest.mark.parametrize("old", sorted(autograd_lite.MOVED))
def test_old_module_names_are_the_moved_modules(old):
    new = importlib.import_module(autograd_lite.MOVED[old])
    assert importlib.import_module(f"autograd_lite.{old}") is new
    assert getattr(autograd_lite, old) is new
    assert new.__spec__.name == autograd_lite.MOVED[old]  # the alias did not rename the module


def test_from_import_of_old_names():
    from autograd_lite.data import moons
    from autograd_lite.losses import mse

    assert mse is importlib.import_module("autograd_lite.nn.losses").mse
    assert len(moons(10, seed=0)[0]) == 10
