"""``python -m benchmarks NAME [options]``, ``python -m benchmarks all [--quick]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType

from . import (
    fleet,
    journal,
    ledger,
    memory,
    optouts,
    pacing,
    priority,
    quiet,
    scaling,
    simulator,
    stream,
    throughput,
)

__all__ = ["BENCHMARKS", "main"]

BENCHMARKS: Mapping[str, ModuleType] = {
    "throughput": throughput,
    "pacing": pacing,
    "priority": priority,
    "memory": memory,
    "simulator": simulator,
    "stream": stream,
    "scaling": scaling,
    "ledger": ledger,
    "fleet": fleet,
    "journal": journal,
    "optouts": optouts,
    "quiet": quiet,
}
"""Every benchmark by name, in the order ``all`` runs them."""


def _parser() -> argparse.ArgumentParser:
    listing = "\n".join(
        f"  {name:<11} {(module.__doc__ or '').splitlines()[0]}"
        for name, module in BENCHMARKS.items()
    )
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks over 127.0.0.1 against the Simulator (see BENCHMARKS.md).",
        epilog=f"benchmarks:\n{listing}\n  all         every one, with its defaults\n\n"
        "`python -m benchmarks NAME --help` lists a benchmark's options; --quick "
        "gives it tiny sizes (it then checks that it runs, and measures little).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument("options", nargs=argparse.REMAINDER)
    return parser


def _run(name: str, options: Sequence[str]) -> None:
    module = BENCHMARKS[name]
    parser = argparse.ArgumentParser(
        prog=f"python -m benchmarks {name}", description=module.__doc__
    )
    module.configure(parser)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    if "--quick" in options:
        parser.set_defaults(**module.QUICK)
    print(module.run(parser.parse_args(options)), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark ``argv`` names (or all of them) and print their tables."""
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.name != "all":
        _run(args.name, args.options)
        return
    if set(args.options) - {"--quick"}:
        parser.error("`all` takes only --quick; give options to one benchmark at a time")
    for number, name in enumerate(BENCHMARKS):
        if number:
            print()
        _run(name, args.options)


if __name__ == "__main__":
    main()
