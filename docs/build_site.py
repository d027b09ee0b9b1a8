"""Build the lessons as a static site: every notebook executed and converted to HTML, and an index page.

    python docs/build_site.py --out build/docs      (what `make docs` runs; `make test` runs it too)

The committed notebooks hold no outputs (tests/test_notebooks_clean.py checks that); this script runs
each one top to bottom in a fresh kernel (nbclient, the same machinery as `jupyter nbconvert --execute`)
and writes it with its outputs -- tables, plots, graph pictures -- as one self-contained HTML page
(nbconvert's JupyterLab template; pictures are inline SVG or PNG). A notebook that raises fails the build.

Widgets need a live kernel to react; on these pages each widget shows its static view instead (the
step widget its first frame and the explanation of that step), so nothing depends on JavaScript
fetched from elsewhere. Open build/docs/index.html in a browser.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from autograd_lite.engine.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# HTML before the widget view: the static page shows a widget's own HTML view (see module doc).
DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/latex",
    "image/png",
    "image/jpeg",
    "application/vnd.jupyter.widget-view+json",
    "text/plain",
]


def write_atomically(path: Path, text: str) -> None:
    """Write a page through the package's one atomic writer (temporary file, fsync, os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))


def title_and_summary(nb: dict) -> tuple[str, str]:
    """The first markdown heading of a notebook, and the first paragraph after it."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines = "".join(cell["source"]).strip().splitlines()
        if lines and lines[0].startswith("#"):
            title = lines[0].lstrip("#").strip()
            paragraph: list[str] = []
            for line in lines[1:]:
                if line.strip():
                    paragraph.append(line.strip())
                elif paragraph:
                    break
            return title, " ".join(paragraph)
    return "", ""


def build_page(path: Path, out: Path, timeout: int) -> tuple[Path, str, str, float]:
    """Execute one notebook and write it as HTML; returns (page, title, summary, seconds)."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # not the local-TCP warning on every run
    )
    client.execute()
    exporter = HTMLExporter(template_name="lab", display_data_priority=DISPLAY_PRIORITY)
    nb.metadata.pop("widgets", None)  # the static views above replace the widget state
    body, _ = exporter.from_notebook_node(nb)
    page = out / f"{path.stem}.html"
    write_atomically(page, body)
    title, summary = title_and_summary(json.loads(nbformat.writes(nb)))
    return page, title or path.stem, summary, time.perf_counter() - start


def index_page(pages: list[tuple[Path, str, str, float]]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(page.name)}">{html.escape(title)}</a><p>{html.escape(summary)}</p></li>'
        for page, title, summary, _ in pages
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>autograd_lite · lessons</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em; }}
body {{ line-height: 1.5; }}
li {{ margin-bottom: 1em; }} li p {{ margin: 0.2em 0; color: #444; }}
</style></head>
<body>
<h1>autograd_lite · lessons</h1>
<p>The notebooks of <code>notebooks/</code>, executed, with their outputs and pictures. To change
things and see widgets react, run them yourself: <code>.venv/bin/jupyter lab notebooks/</code>.</p>
<ol>
{items}
</ol>
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "docs", help="folder for the site")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    start = time.perf_counter()
    # One process per notebook at a time: nbclient's kernels in threads of one process were seen to
    # stall for minutes; separate processes keep each kernel's event loop and sockets to itself.
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        pages = list(pool.map(partial(build_page, out=args.out, timeout=args.timeout), paths))
    for page, _, _, seconds in pages:
        print(f"  {seconds:5.1f} s  {page.name}")
    index = args.out / "index.html"
    write_atomically(index, index_page(pages))
    print(f"{len(pages)} lessons in {time.perf_counter() - start:.1f} s; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
