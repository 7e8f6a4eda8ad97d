"""`greenbot curated …`: curated answers as YAML, to move them between deployments and review
them in git. Imported answers arrive as drafts for this city's admins to approve."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ground.settings import Settings

app = typer.Typer(help="Curated answers (staff-written, admin-approved).", no_args_is_help=True)


@app.command("export")
def export_answers(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="YAML file to write; stdout if omitted.")
    ] = None,
) -> None:
    """Every curated answer (drafts, live and retired) with its source and questions."""
    text, count = asyncio.run(_export(ctx.obj))
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
    typer.echo(f"exported {count} curated answers", err=True)


@app.command("import")
def import_answers(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A YAML export.")],
) -> None:
    """Add the file's answers as drafts (an answer with the same text is skipped)."""
    from knowledge.curated import InvalidAnswer

    try:
        added = asyncio.run(_import(ctx.obj, file.read_text(encoding="utf-8")))
    except InvalidAnswer as error:
        typer.echo(f"文件中有不完整的解答：{error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"imported {added} curated answers as drafts: approve them in the console", err=True)


async def _export(settings: Settings) -> tuple[str, int]:
    from ground.db import create_engine, session_factory
    from knowledge.curated import CuratedAnswers
    from knowledge.curated.transfer import dump

    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with session_factory(engine)() as session:
            answers = await CuratedAnswers(session).list()
            return dump(answers), len(answers)
    finally:
        await engine.dispose()


async def _import(settings: Settings, text: str) -> int:
    from ground.clock import SystemClock
    from ground.db import create_engine, session_factory
    from knowledge.curated.transfer import load

    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with session_factory(engine).begin() as session:
            return await load(session, text, by=None, now=SystemClock().now())
    finally:
        await engine.dispose()
