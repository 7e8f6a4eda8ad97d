"""Optional: an LLM rewrites the extractive draft into a friendlier reply, strictly from the
retrieved passages. Off unless an OpenAI-compatible endpoint is configured; on any failure the
extractive draft stands, so the LLM can make an answer nicer but never makes one missing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.retrieval import Hit

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是“绿色铜仁助手”，为铜仁市民解答节能减排和绿色生活问题。"
    "只能使用下面提供的资料作答，不得加入资料以外的任何事实、数字或政策；"
    "资料中的数字、百分比、年份必须原样保留；用简体中文，口语化，不超过150字；"
    "不要写出处，出处由系统另附。"
)
MAX_PASSAGES = 3


class Rewriter:
    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model

    def rewrite(self, *, question: str, draft: str, passages: list[Hit]) -> str | None:
        material = "\n".join(
            f"[{n + 1}] {hit.chunk.text}" for n, hit in enumerate(passages[:MAX_PASSAGES])
        )
        messages = [
            ("system", SYSTEM_PROMPT),
            ("human", f"资料：\n{material}\n\n摘录：{draft}\n\n市民的问题：{question}"),
        ]
        try:
            reply = self.chat_model.invoke(messages)
        except Exception as error:  # any provider error: keep the extractive answer
            log.warning(
                "LLM rewrite failed, keeping the extractive answer: %s", type(error).__name__
            )
            return None
        text = str(getattr(reply, "content", "") or "").strip()
        return text or None


def rewriter_from(*, base_url: str | None, model: str, api_key: str | None) -> Rewriter | None:
    if not base_url:
        return None
    from langchain.chat_models import init_chat_model

    chat_model = init_chat_model(
        model,
        model_provider="openai",
        base_url=base_url,
        api_key=api_key or "not-needed",
        temperature=0,
        timeout=20,
        max_retries=1,
    )
    return Rewriter(chat_model)
