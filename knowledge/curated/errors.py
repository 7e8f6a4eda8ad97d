"""What can go wrong with curated answers; messages are for logs, surfaces say it in Chinese."""

from __future__ import annotations


class CurationError(Exception):
    pass


class AnswerNotFound(CurationError):
    pass


class GapNotFound(CurationError):
    pass


class SelfApproval(CurationError):
    """Four eyes: whoever wrote (or last edited) an answer cannot approve it."""


class InvalidAnswer(CurationError):
    """Empty text, no question, an unknown source kind, a document without issuer or date."""


class InvalidTransition(CurationError):
    """Approving a retired answer, retiring a draft that was never live, and the like."""
