"""The knowledge engine from Settings: the one place settings become an EngineConfig, shared by
the CLI, the bot's answer worker process and the benchmarks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ground.settings import Settings
    from knowledge.answer import AnswerEngine
    from knowledge.engine import EngineConfig
    from knowledge.index import Progress


def engine_config(settings: Settings) -> EngineConfig:
    from knowledge.engine import EngineConfig

    return EngineConfig(
        data_dir=settings.data_dir,
        model=settings.embedding_model,
        threshold=settings.not_covered_below,
        chroma_dir=settings.chroma_dir,
        chroma_server_url=settings.chroma_server_url,
        max_question_chars=settings.max_question_chars,
        database_url=settings.sqlalchemy_url,  # approved curated answers are read from it
        curated_match_above=settings.curated_match_above,
        curated_refresh_seconds=settings.curated_refresh_seconds,
    )


def build_engine(
    settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
) -> AnswerEngine:
    """Load the index (building it when missing or stale) and, if configured, the LLM step."""
    from knowledge.engine import create_engine
    from knowledge.llm import rewriter_from

    return create_engine(
        engine_config(settings),
        rebuild=rebuild,
        progress=progress,
        rewriter=rewriter_from(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        ),
    )
