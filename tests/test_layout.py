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


def test_the_package_has_no_import_circles():
    """Dependencies point one way (engine < autograd < nn, optim < training < viz < cli, demo), counting
    imports inside functions; the shared tool lists every circle."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    tool = repo.parent / "shared" / "tools" / "import_circles.py"
    if not tool.exists():
        pytest.skip(f"the import-circle tool is not at {tool} (it lives beside the repository in CI)")
    run = subprocess.run(
        [sys.executable, str(tool), "autograd_lite"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    circles = [line for line in run.stdout.splitlines() if line.startswith("circle:")]
    assert run.returncode == 0 or not circles, run.stderr
    assert not circles, "\n".join(circles)


def test_no_module_imports_another_modules_private_names():
    """A module uses another's public names only (the stepper draws through `draw_graph(overlay=...)`,
    not graph.py's private helpers)."""
    import ast
    from pathlib import Path

    package = Path(autograd_lite.__file__).parent
    private = [
        f"{path.relative_to(package)}:{node.lineno}: {'.' * node.level}{node.module or ''}.{alias.name}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level > 0
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert not private, "\n".join(private)
