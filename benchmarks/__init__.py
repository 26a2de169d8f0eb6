"""Benchmarks for picky_async: ``python -m benchmarks NAME`` or ``python -m benchmarks all``.

Each benchmark module offers ``configure(parser)``, ``run(args) -> str`` (the
table it prints) and ``QUICK`` (tiny sizes for the smoke test). Everything
runs over 127.0.0.1 against the Simulator; BENCHMARKS.md has the results.
"""
