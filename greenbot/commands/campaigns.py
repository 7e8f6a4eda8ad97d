"""`greenbot campaigns …`."""

from __future__ import annotations

import typer

app = typer.Typer(help="campaigns", no_args_is_help=True)
