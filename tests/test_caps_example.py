"""examples/daily_caps.py runs and shows the new number stopping at its first day's cap."""

from __future__ import annotations

import asyncio
import re

import pytest
from example_modules import load_example


@pytest.mark.parametrize("clock", [pytest.param("looptime", marks=pytest.mark.looptime), "real"])
async def test_the_new_number_sends_its_first_days_share_and_no_more(
    capsys: pytest.CaptureFixture[str], clock: str
) -> None:
    await asyncio.wait_for(load_example("daily_caps").main(), timeout=20)
    out = capsys.readouterr().out
    assert "300 messages sent" in out
    today = dict(re.findall(r"^  (new|seasoned) +(\d+ of \d+)$", out, flags=re.MULTILINE))
    assert today == {"new": "50 of 50", "seasoned": "250 of 500"}
