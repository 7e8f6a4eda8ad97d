"""Benchmarks (`python -m bench`); each module prints its figures through `say`."""

from __future__ import annotations

import sys


def say(*parts: object, sep: str = " ", flush: bool = False) -> None:
    """One line of a benchmark's report on stdout."""
    sys.stdout.write(sep.join(str(part) for part in parts) + "\n")
    if flush:
        sys.stdout.flush()
