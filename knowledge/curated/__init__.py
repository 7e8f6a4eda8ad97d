"""Curated answers: staff teach GreenBot. Gaps (unanswered and 👎 questions, grouped) become
work items; staff write answers with their source, an admin approves them, every engine answers
from them without a restart, and the citizens who asked are told. No aiogram or FastAPI here."""

from knowledge.curated.errors import (
    AnswerNotFound,
    CurationError,
    GapNotFound,
    InvalidAnswer,
    InvalidTransition,
    SelfApproval,
)
from knowledge.curated.gaps import GapBook, GapDetail, GapSummary, reason_text
from knowledge.curated.models import (
    AnswerStatus,
    CuratedAnswer,
    CuratedAnswerEdit,
    GapStatus,
    KnowledgeGap,
    SourceKind,
)
from knowledge.curated.service import CuratedAnswers, Draft

__all__ = [
    "AnswerNotFound",
    "AnswerStatus",
    "CuratedAnswer",
    "CuratedAnswerEdit",
    "CuratedAnswers",
    "CurationError",
    "Draft",
    "GapBook",
    "GapDetail",
    "GapNotFound",
    "GapStatus",
    "GapSummary",
    "InvalidAnswer",
    "InvalidTransition",
    "KnowledgeGap",
    "SelfApproval",
    "SourceKind",
    "reason_text",
]
