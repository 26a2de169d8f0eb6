"""examples/campaign.py, README's demo, runs and reports a clean campaign.

It runs under ``looptime`` and in real time: progress comes once per push's
share, at counts that differ from run to run, and the demo's outage and
progress lines must happen either way.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from example_modules import load_example


@pytest.mark.parametrize("clock", [pytest.param("looptime", marks=pytest.mark.looptime), "real"])
async def test_the_campaign_goes_through_an_outage_and_loses_nothing(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, clock: str
) -> None:
    campaign = load_example("campaign")
    # Millisecond phones: about a second in real time.
    await asyncio.wait_for(campaign.main(), timeout=20)
    out = capsys.readouterr().out
    counts = {
        name: int(count)
        for name, count in re.findall(r"^  (fast|medium|slow) +(\d+)", out, flags=re.MULTILINE)
    }
    assert sum(counts.values()) == 1000
    assert counts["fast"] > counts["slow"]  # the offline phone aside, work follows speed
    assert "1000 receipts" in out
    assert "0 lost, 0 duplicated, 0 requests over the limit" in out
    (outage,) = re.findall(r"'medium' phone went offline after (\d+) messages", out)
    assert int(outage) >= 400
    assert "project medium suspended" in caplog.text  # the Dispatcher saw it go
    done = [int(n) for n in re.findall(r"^ +(\d+)/1000 accepted", out, flags=re.MULTILINE)]
    assert [n // 200 for n in done] == [1, 2, 3, 4, 5]  # one line per 200 crossed
    assert done[-1] == 1000
