"""Optional: an LLM rewrites the citizen's question into the plan's words before retrieval, and
the extractive draft into a friendlier reply after it, strictly from the retrieved passages. Off
unless an OpenAI-compatible endpoint is configured; on any failure the extractive path stands, so
the LLM can make an answer better but never makes one missing."""

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
REPHRASE_PROMPT = (
    "你帮助检索《铜仁市“十四五”节能减排综合工作方案》和绿色生活指南。"
    "把市民的口语问题改写成一句用方案术语表达的检索问句（如“烧煤的锅炉”写成“燃煤锅炉”，"
    "“臭水沟”写成“黑臭水体”），保留问题中的数字、年份、地名和要问的内容，不要回答问题，"
    "不要添加问题里没有的内容。只输出改写后的一句话。"
)
MAX_REPHRASE_CHARS = 200


class Rewriter:
    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model

    def rephrase(self, question: str, *, context: str | None = None) -> str | None:
        """The question in the plan's words, for retrieval only (the citizen's own words are
        kept alongside, so a poor rewrite can add terms but not remove the question's own)."""
        asked = f"上一个问题：{context}\n市民的问题：{question}" if context else question
        text = self._invoke([("system", REPHRASE_PROMPT), ("human", asked)])
        if not text or len(text) > MAX_REPHRASE_CHARS:
            return None
        return f"{question} {text}" if text != question else None

    def rewrite(self, *, question: str, draft: str, passages: list[Hit]) -> str | None:
        material = "\n".join(
            f"[{n + 1}] {hit.chunk.text}" for n, hit in enumerate(passages[:MAX_PASSAGES])
        )
        messages = [
            ("system", SYSTEM_PROMPT),
            ("human", f"资料：\n{material}\n\n摘录：{draft}\n\n市民的问题：{question}"),
        ]
        return self._invoke(messages)

    def _invoke(self, messages: list[tuple[str, str]]) -> str | None:
        try:
            reply = self.chat_model.invoke(messages)
        except Exception as error:  # any provider error: keep the extractive path
            log.warning("LLM step failed, keeping the extractive path: %s", type(error).__name__)
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
