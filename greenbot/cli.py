"""The `greenbot` command line: parses the command, builds `Settings` and logging, and asks the
composition root (greenbot/root.py, which starts it: `app(obj=Wiring())`) for the answer engine,
the reports' use cases and `greenbot run` (greenbot/commands/wiring.py). The domain sub-commands
live in greenbot/commands/."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greenbot.commands.wiring import WIRING, wiring
from ground.logs import configure_logging
from ground.settings import Settings

if TYPE_CHECKING:
    from knowledge.answer import AnswerEngine


app = typer.Typer(
    help="GreenBot (绿色铜仁助手): Tongren's energy-saving plan, answered for citizens.",
    no_args_is_help=True,
    add_completion=False,
)


def _mount_domains() -> None:
    from greenbot.commands import campaigns, curated, db, reports, staff

    app.add_typer(reports.app, name="reports")
    app.add_typer(campaigns.app, name="campaigns")
    app.add_typer(staff.app, name="staff")
    app.add_typer(db.app, name="db")
    app.add_typer(curated.app, name="curated")


_mount_domains()

# Model files come from the installed package or the data directory, never from a hub.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


@app.callback()
def main(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    if ctx.obj is not None:  # the root's Wiring, handed over by `greenbot.root.main`
        ctx.meta[WIRING] = ctx.obj
    settings = Settings()
    configure_logging(settings, verbose=verbose)  # text or JSON lines; tokens, phones redacted
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)
    ctx.obj = settings


def build_engine(
    ctx: typer.Context, *, rebuild: bool = False, show_progress: bool = False
) -> AnswerEngine:
    return wiring(ctx).engine(
        ctx.obj, rebuild=rebuild, progress=_progress_bar() if show_progress else None
    )


def _progress_bar():  # type: ignore[no-untyped-def]
    def report(done: int, total: int) -> None:
        if total == 0:
            typer.echo("embeddings: all reused from the previous build", err=True)
            return
        width = 30
        filled = int(width * done / total)
        typer.echo(
            f"\rembedding chunks [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            err=True,
            nl=done >= total,
        )

    return report


@app.command()
def ingest(ctx: typer.Context) -> None:
    """Rebuild the knowledge index from the plan and the guides."""
    import time

    started = time.perf_counter()
    engine = build_engine(ctx, rebuild=True, show_progress=True)
    typer.echo(
        f"indexed {len(engine.index.sections)} sections, {len(engine.index.chunks)} chunks "
        f"in {time.perf_counter() - started:.1f} s"
    )


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[
        str | None, typer.Argument(help="Omit to read one per line from stdin.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per answer.")] = False,
) -> None:
    """Answer a question (or every line of stdin, loading the model once)."""
    import asyncio

    from ground.clock import SystemClock
    from knowledge.asking import Asking, EngineAnswers

    asking = Asking(EngineAnswers(build_engine(ctx)), SystemClock())  # the bot's path
    questions = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)
    for text in questions:
        answer = asyncio.run(asking.ask(text)).answer
        if as_json:
            sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            typer.echo(answer.answer + "\n")


@app.command()
def chat(ctx: typer.Context) -> None:
    """Talk to GreenBot in the terminal (follow-up questions understood)."""
    engine = build_engine(ctx, show_progress=True)
    typer.echo(engine.answer("你好").answer)
    typer.echo("（输入 exit 退出）")
    previous: str | None = None
    while True:
        try:
            text = input("\n您> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            return
        if text.strip().lower() in {"exit", "quit", "q", "退出"}:
            return
        answer = engine.answer(text, previous=previous)
        typer.echo(f"\n绿色铜仁助手> {answer.answer}")
        if answer.intent == "question":
            previous = answer.retrieval_query or text


@app.command("eval")
def evaluate_questions(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(exists=True, help="JSONL files or folders.")],
    baseline_only: Annotated[
        bool, typer.Option("--baseline", help="Only the naive hybrid baseline.")
    ] = False,
    k: Annotated[
        int, typer.Option("--folds", help="With --cv or --train: k-fold cross-validation.")
    ] = 5,
    cv: Annotated[
        bool, typer.Option("--cv", help="Cross-validated figures of freshly fitted models.")
    ] = False,
    train: Annotated[
        bool,
        typer.Option("--train", help="Cross-validate, then fit on all and write the models."),
    ] = False,
    show_misses: Annotated[
        bool, typer.Option("--misses", help="List what GreenBot got wrong.")
    ] = False,
    by_group: Annotated[
        bool, typer.Option("--groups/--all", help="Rows by kind, source and style.")
    ] = True,
) -> None:
    """Passage-level hit@1/3, MRR, coverage, refusal, fact-in-answer and in the first sentence,
    by kind, beside the naive hybrid baseline (RRF of e5 and BM25, untuned)."""
    from knowledge.engine import MODELS_FILE
    from knowledge.evaluation import (
        NaiveHybrid,
        engine_responder,
        load_questions,
        misses,
        run,
        table,
    )
    from knowledge.training import cross_validate, train_and_save

    engine = build_engine(ctx)
    questions = load_questions(*paths)
    results = {"baseline": run(NaiveHybrid(engine), questions, engine.scripts)}
    if not baseline_only:
        if cv or train:
            results[f"greenbot ({k}-fold cv)"] = cross_validate(engine, questions, k)
        if train:
            note = f"fitted by greenbot eval --train on {', '.join(str(p) for p in paths)}"
            train_and_save(engine, questions, MODELS_FILE, note=note)
            typer.echo(f"models written to {MODELS_FILE}")
        else:
            results["greenbot"] = run(engine_responder(engine), questions, engine.scripts)
    names = [*list(results)[1:], "baseline"]  # GreenBot's rows first, the yardstick under them
    typer.echo(table({n: results[n] for n in names}, group_by=by_group))
    if show_misses and not baseline_only:
        typer.echo("\n".join(misses(results[names[0]])))


@app.command()
def run(ctx: typer.Context) -> None:
    """Start GreenBot: web console and chat sandbox, plus the Telegram bot when a token is set."""
    settings: Settings = ctx.obj
    taken = _port_taken(settings.web_host, settings.web_port)
    if taken:
        typer.echo(
            f"端口 {settings.web_port} 已被占用（{taken}）。请换一个端口，例如："
            f"GREENBOT_WEB_PORT={settings.web_port + 1} make run",
            err=True,
        )
        raise typer.Exit(1)
    if settings.bot_token is None:
        typer.echo("No GREENBOT_BOT_TOKEN: web console and chat sandbox only.", err=True)
    engine = build_engine(ctx, show_progress=True)
    engine.warm()  # the first citizen's question must not pay for loading the model
    wiring(ctx).run(settings, engine, typer.echo)


def _port_taken(host: str, port: int) -> str | None:
    """Why the console's port cannot be bound (before minutes of model loading), or None."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None
