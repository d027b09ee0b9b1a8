"""Every "lecture item N" the repository cites is listed in docs/lectures.md, and no citation names a deck."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "docs" / "lectures.md"
SUFFIXES = {".py", ".ipynb", ".md", ".toml", ".cfg", ".txt"}
FOLDERS = ("autograd_lite", "tests", "notebooks", "docs", "benchmarks", "scripts")

# "lecture item 7", "Lecture items 4 and 5", "lecture items 1, 2 and 3", "docs/lectures.md item 14"
CITATION = re.compile(r"(?:lecture|lectures\.md,?)\s+items?\s+(\d+(?:\s*(?:,|and)\s*\d+)*)", re.IGNORECASE)
DECK = re.compile(r"\bdecks?\s+\d", re.IGNORECASE)


def cited_items(text: str) -> list[int]:
    """The item numbers of every "lecture item(s) N[, M and K]" in ``text``."""
    return [int(n) for match in CITATION.finditer(text) for n in re.findall(r"\d+", match.group(1))]


def indexed_items() -> set[int]:
    """The items docs/lectures.md lists: one table row with an ``id="item-N"`` anchor each."""
    return {int(a) for a, _ in re.findall(r'<a id="item-(\d+)"></a>(\d+) \|', INDEX.read_text("utf-8"))}


def sources() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "Makefile"]
    for folder in FOLDERS:
        files += [p for p in sorted((ROOT / folder).rglob("*")) if p.suffix in SUFFIXES and p.is_file()]
    return [p for p in files if p.exists() and ".ipynb_checkpoints" not in p.parts]


def test_the_index_lists_items_1_to_14_with_matching_anchors() -> None:
    rows = re.findall(r'<a id="item-(\d+)"></a>(\d+) \|', INDEX.read_text("utf-8"))
    assert [int(a) for a, _ in rows] == list(range(1, 15))
    assert all(a == b for a, b in rows)  # the anchor names the row's own item


def test_the_citation_pattern_finds_lists_and_ranges_of_items() -> None:
    text = "Lecture items 4 and 5; lecture item 14 (docs/lectures.md); lecture items 1, 2 and 3"
    assert cited_items(text) == [4, 5, 14, 1, 2, 3]
    assert cited_items("[lecture item 9](../docs/lectures.md#item-9)") == [9]
    assert cited_items("(docs/lectures.md item 2); (docs/lectures.md, item 9)") == [2, 9]


def test_every_cited_lecture_item_is_in_the_index() -> None:
    known = indexed_items()
    missing, total = [], 0
    for path in sources():
        text = path.read_text("utf-8")
        for item in cited_items(text):
            total += 1
            if item not in known:
                missing.append(f"{path.relative_to(ROOT)}: lecture item {item}")
    assert total > 30  # the package, tests and notebooks cite the lectures throughout
    assert not missing, "cited but not in docs/lectures.md:\n" + "\n".join(missing)


def test_no_citation_names_a_deck_number() -> None:
    # The deck boundaries are not known (docs/lectures.md says why); cite the item instead.
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in sources()
        if path != INDEX
        for line in path.read_text("utf-8").splitlines()
        if DECK.search(line)
    ]
    assert not offenders, "cite 'lecture item N (docs/lectures.md)', not a deck:\n" + "\n".join(offenders)
