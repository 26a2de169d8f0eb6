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
    assert "python examples/campaign.py" in first_block
    assert "python -m pytest" in first_block
