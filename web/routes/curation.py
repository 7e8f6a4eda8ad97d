"""What the knowledge console routes share: the engine's embedder (for grouping gaps and hit
testing), the Chinese names of statuses and sources, and domain errors as page errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from knowledge.curated import (
    AnswerNotFound,
    CurationError,
    Draft,
    GapNotFound,
    InvalidAnswer,
    InvalidTransition,
    SelfApproval,
)
from web.errors import BadInput, Forbidden, NotFound

if TYPE_CHECKING:
    import numpy as np
    from fastapi import Request

ANSWER_STATUS = {"draft": "待审核", "approved": "已上线", "retired": "已停用"}
GAP_STATUS = {"open": "待处理", "answered": "已解答", "wont_answer": "不予解答"}
SOURCE_KIND = {"plan": "《方案》条目", "guide": "绿色生活指南", "document": "正式文件"}


def engine_of(request: Request) -> Any:
    """The process's answer engine, or None (a console started without one)."""
    return getattr(request.app.state, "engine", None)


def embedder(request: Request) -> Callable[[str], np.ndarray] | None:
    engine = engine_of(request)
    return engine.index.embed_query if engine is not None else None


async def in_thread(call: Callable[..., Any], *args: Any) -> Any:
    """The engine is CPU-bound: keep it off the event loop."""
    return await asyncio.to_thread(call, *args)


def draft_from_form(form: dict[str, str]) -> Draft:
    """The answer form's fields as a Draft (dates typed as 2026-03-01 or 2026年3月1日)."""
    from ground.clock import parse_local

    issued = (form.get("issued_on") or "").strip()
    issued_on: date | None = None
    if issued:
        moment = parse_local(issued)
        if moment is None:
            with contextlib.suppress(ValueError):
                issued_on = date.fromisoformat(issued)
            if issued_on is None:
                raise BadInput("发布日期的格式不对，请写成 2026年3月1日 或 2026-03-01。")
        else:
            issued_on = moment.date()
    questions = tuple(line for line in (form.get("questions") or "").splitlines())
    return Draft(
        text=form.get("text") or "",
        questions=questions,
        source_kind=form.get("source_kind") or "",
        source_title=form.get("source_title") or "",
        issuer=form.get("issuer") or None,
        issued_on=issued_on,
    )


@contextlib.contextmanager
def as_page_errors() -> Iterator[None]:
    """Domain refusals in Chinese for the page."""
    try:
        yield
    except (AnswerNotFound, GapNotFound) as error:
        raise NotFound("没有找到这条记录。") from error
    except SelfApproval as error:
        raise Forbidden("解答需要由另一位管理员审核，撰写或最后修改它的人不能自己审核。") from error
    except InvalidAnswer as error:
        raise BadInput(
            "解答不完整：需要解答内容、至少一个问题和依据；正式文件还要写明发文单位和日期。"
        ) from error
    except InvalidTransition as error:
        raise BadInput("这条解答当前的状态不能做这个操作。") from error
    except CurationError as error:
        raise BadInput() from error
