"""The ``picky-async`` command (``pip install 'picky_async[cli]'``): demo, campaigns, every call."""

from __future__ import annotations

import click

from ..core import VERSION
from ._calls import action, conference, report, send, status
from ._campaign import campaign
from ._demo import demo
from ._simulate import simulate

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="picky-async")
def main() -> None:
    """Picky Assist from the shell: exit 0 when everything was accepted, 1 when some
    failed or are uncertain, 2 for bad input (nothing sent)."""


for _command in (demo, campaign, send, status, action, conference, report, simulate):
    main.add_command(_command)
