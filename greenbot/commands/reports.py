"""`greenbot reports …`: the Open311-like CSV export, and the contact retention sweep that
keeps the privacy notice's promise (run it daily, e.g. from cron)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from greenbot.commands.wiring import wiring

if TYPE_CHECKING:
    from ground.settings import Settings
    from reports import ReportService
    from reports.service import ReportServices

app = typer.Typer(help="Public supervision reports.", no_args_is_help=True)

EXPORT_PAGE = 200  # reports read per query


@app.command()
def export(
    ctx: typer.Context,
    format_: Annotated[
        str, typer.Option("--format", help="csv (Open311 GeoReport v2 fields), the only one.")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; stdout when omitted.")
    ] = None,
    include_contact: Annotated[
        bool,
        typer.Option(
            "--include-contact",
            help="Add reporter id and phone for reporters who did not choose anonymity.",
        ),
    ] = False,
    media_base_url: Annotated[
        str | None, typer.Option(help="Prefix for photo names in media_url.")
    ] = None,
) -> None:
    """Every report, oldest first, one row each; anonymous reporters are never identified."""
    settings: Settings = ctx.obj
    if format_ != "csv":
        raise typer.BadParameter("only csv is supported", param_hint="--format")
    services = wiring(ctx).report_services(settings)

    def write(out: TextIO) -> int:
        return asyncio.run(_export(settings, services, out, include_contact, media_base_url))

    if output is None:
        count = write(sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            count = write(stream)
    typer.echo(f"exported {count} reports", err=True)


async def _export(
    settings: Settings,
    services: ReportServices,
    out: TextIO,
    include_contact: bool,
    media_base_url: str | None,
) -> int:
    from reports import write_csv

    reports = []
    async with _service(settings, services) as service:
        page = 1
        while True:
            result = await service.queue(page=page, page_size=EXPORT_PAGE)
            reports.extend(result.items)
            if page >= result.pages:
                break
            page += 1
    return write_csv(reports, out, include_contact=include_contact, media_base_url=media_base_url)


@app.command("purge-contacts")
def purge_contacts(ctx: typer.Context) -> None:
    """Clear phone numbers of reports older than GREENBOT_REPORT_RETENTION_DAYS."""
    settings: Settings = ctx.obj
    count = asyncio.run(_purge(settings, wiring(ctx).report_services(settings)))
    typer.echo(f"cleared the phone number of {count} reports")


async def _purge(settings: Settings, services: ReportServices) -> int:
    async with _service(settings, services, commit=True) as service:
        return await service.purge_contacts(older_than_days=settings.report_retention_days)


@contextlib.asynccontextmanager
async def _service(
    settings: Settings, services: ReportServices, *, commit: bool = False
) -> AsyncIterator[ReportService]:
    """The root's ReportService on the configured database, for one command."""
    from ground.db import create_engine, session_factory

    if settings.database_url is None and not (settings.data_dir / "greenbot.db").exists():
        typer.echo(f"no database in {settings.data_dir} (set GREENBOT_DATA_DIR)", err=True)
        raise typer.Exit(1)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with session_factory(engine)() as session:
            yield services(session)
            if commit:
                await session.commit()
    finally:
        await engine.dispose()
