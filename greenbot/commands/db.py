"""`greenbot db …`: the schema, by Alembic."""

from __future__ import annotations

from typing import Annotated

import typer

from ground.settings import Settings

app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Bring the configured database to the latest schema (`greenbot run` does this too)."""
    from greenbot.migrate import upgrade_url

    settings: Settings = ctx.obj
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_url(settings.sqlalchemy_url)
    typer.echo("database at the latest revision")


@app.command()
def revision(
    message: Annotated[str, typer.Argument(help="What the change is, e.g. 'add report tags'.")],
) -> None:
    """Write a new revision from the difference between the models and a scratch database."""
    import tempfile
    from pathlib import Path

    from alembic import command

    from greenbot.migrate import alembic_config, upgrade_url

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade_url(url)  # the scratch database at the current head
        command.revision(alembic_config(url), message=message, autogenerate=True)
