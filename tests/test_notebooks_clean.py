"""Committed notebooks hold no outputs, so their diffs show only what a person wrote.

The executed lessons, with outputs and pictures, are built from them by `make docs` (docs/build_site.py).
To strip a notebook after running it:
    .venv/bin/jupyter nbconvert --clear-output --inplace notebooks/NAME.ipynb
"""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} hold outputs or execution counts; strip them with "
        f"`.venv/bin/jupyter nbconvert --clear-output --inplace {path.relative_to(path.parents[1])}`"
    )
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: metadata holds saved widget state"
