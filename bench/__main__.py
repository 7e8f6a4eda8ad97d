"""`python -m bench`: every benchmark, one after another (each prints its own ratios)."""

from __future__ import annotations

import importlib
import sys

BENCHES = (
    "bench.qa",
    "bench.bot_load",
    "bench.report_load",
    "bench.broadcast_load",
    "bench.webhook_scale",
)

for name in BENCHES:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        continue
    sys.argv = [name]
    module.main()
