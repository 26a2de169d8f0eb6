"""Running pytest inside a test: for the pytest plugin and the pages that show tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_pytest(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on ``directory``'s tests in a new process, with this checkout's package."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's plugin, not an installed one
    )
