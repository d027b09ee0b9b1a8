"""The README's ten-line example runs and prints what its comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_prints_what_its_comments_say() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Ten lines\n\n```python\n(.*?)```", text, re.S)
    assert block, "README.md has no 'Ten lines' python block"
    code = block.group(1)
    promised = [line.split("# ")[-1] for line in code.splitlines() if line.startswith("print(")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().splitlines() == promised
