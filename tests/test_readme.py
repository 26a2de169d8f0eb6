"""README's first example must run as written, offline."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).parents[1] / "README.md"


def test_readme_send_example_pushes_to_a_local_simulator() -> None:
    text = README.read_text()
    section = text[text.index("## Send a message") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    assert "pickyassist.com" not in code.group(1)
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"queued on the phone as push \d+\n", done.stdout)


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    first_block = README.read_text().split("```")[1]
    assert "pip install -e '.[cli]' && picky-async demo" in first_block
    assert "python -m pytest" in first_block


ROOT = README.parent
# Markdown links, and paths in backticks that name a file of the repository.
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_PATH = re.compile(r"`((?:\.\./|[\w.-]+/)[\w./-]*\.(?:md|py|txt|toml))`")


def _local_references(doc: pathlib.Path, text: str) -> list[pathlib.Path]:
    """The files ``text`` points to: links from ``doc``'s folder, paths from the root."""
    links = [doc.parent / link for link in _LINK.findall(text) if "://" not in link]
    return links + [ROOT / path for path in _PATH.findall(text)]


def test_every_file_the_docs_point_to_is_in_the_repository() -> None:
    for doc in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        references = [ref.resolve() for ref in _local_references(doc, doc.read_text())]
        assert [ref for ref in references if not ref.is_file()] == [], doc.name
        assert [ref for ref in references if ROOT.resolve() not in ref.parents] == [], doc.name


def test_reference_finder_sees_links_and_paths() -> None:
    text = "see [the doc](x.md#part), `../shared/DESIGN.md` and [site](https://a.b/c)"
    found = _local_references(ROOT / "docs" / "a.md", text)
    assert found == [ROOT / "docs" / "x.md", ROOT / "../shared/DESIGN.md"]
