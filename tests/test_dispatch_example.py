"""examples/campaign.py, README's demo, runs and reports a clean campaign."""

from __future__ import annotations

import importlib.util
import pathlib
import re

import pytest

EXAMPLE = pathlib.Path(__file__).parent.parent / "examples" / "campaign.py"


@pytest.mark.looptime
async def test_the_campaign_shares_work_and_loses_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("campaign", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    campaign = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(campaign)
    await campaign.main()
    out = capsys.readouterr().out
    counts = {
        name: int(count)
        for name, count in re.findall(r"^  (fast|medium|slow) +(\d+)", out, flags=re.MULTILINE)
    }
    assert sum(counts.values()) == 1000
    assert counts["fast"] > counts["slow"]  # the offline phone aside, work follows speed
    assert "1000 receipts" in out
    assert "0 lost, 0 duplicated, 0 requests over the limit" in out
    assert "went offline" in out
