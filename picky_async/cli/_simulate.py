"""``picky-async simulate``: the Simulator standalone, as ``python -m picky_async.testing``."""

from __future__ import annotations

import click

from ..testing.__main__ import main

__all__ = ["simulate"]


@click.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def simulate(options: tuple[str, ...]) -> None:
    """Run a local Picky Assist service with simulated phones (--help for its options)."""
    main(list(options), prog="picky-async simulate")
