"""bot/render.py without Telegram: escaping, splitting at the limit, pages of 查看原文."""

from __future__ import annotations

from bot import render
from bot.render import Block
from knowledge.answer import Answer
from tests.support.telegram_html import parse_html, utf16_len


def test_a_long_answer_splits_at_sentence_ends_into_valid_html_messages() -> None:
    body = "".join(f"第{n}句：节能 <减排> & “绿色”出行。" for n in range(400))
    answer = Answer(question="q", covered=True, answer=body, body=body, citation="出处：<方案>")
    messages = render.answer(answer, lead=[Block("问：<b>&", "b")])
    assert len(messages) > 1
    shown = [parse_html(message)[0] for message in messages]  # raises on a cut tag or entity
    assert all(utf16_len(message) <= render.MESSAGE_LIMIT for message in messages)
    assert shown[0].startswith("问：<b>&") and shown[-1].endswith("出处：<方案>")
    assert all(text.endswith("出行。") for text in shown[:-1])  # cut between sentences


def test_text_made_only_of_entities_is_never_cut_inside_one() -> None:
    messages = render.pack([Block("&<>" * 3000, "i")])
    assert len(messages) > 1
    for message in messages:
        assert utf16_len(message) <= render.MESSAGE_LIMIT
        parse_html(message)
    assert "".join(parse_html(m)[0] for m in messages) == "&<>" * 3000


def test_source_pages_stay_within_the_page_size_and_end_sentences() -> None:
    text = "这是方案里的一句话，讲的是节能减排的要求。" * 200
    pages = render.pages(text)
    assert len(pages) > 1 and "".join(pages) == text
    assert all(len(page) <= render.PAGE_CHARS and page.endswith("。") for page in pages)
