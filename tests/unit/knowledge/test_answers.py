"""Answers cite their section, keep their figures, follow the asker's script, and say plainly
when the knowledge base does not cover a question."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from knowledge.answer import AnswerEngine


def test_a_plan_question_is_answered_with_its_figure_and_citation(
    knowledge_engine: AnswerEngine,
) -> None:
    answer = knowledge_engine.answer("2025年农村污水治理率要到多少？")
    assert answer.covered
    assert "25%" in answer.body
    assert answer.sources[0].section == "三(五)"
    assert "三、(五) 农业农村节能减排工程" in answer.citation
    assert "牵头单位：市农业农村局、市生态环境局、市乡村振兴局" in answer.citation
    assert answer.answer.endswith(answer.citation)


def test_a_traditional_question_gets_a_traditional_answer(knowledge_engine: AnswerEngine) -> None:
    answer = knowledge_engine.answer("公交車都會換成電動的嗎？")
    assert answer.covered and answer.script == "hant"
    assert "95%" in answer.body
    assert "車" in answer.body and "车" not in answer.answer


def test_the_asker_can_force_simplified(knowledge_engine: AnswerEngine) -> None:
    answer = knowledge_engine.answer("公交車都會換成電動的嗎？", script="hans")
    assert "公交车" in answer.body


def test_a_guide_question_cites_the_guide_and_its_source(knowledge_engine: AnswerEngine) -> None:
    answer = knowledge_engine.answer("过期药扔哪个桶？")
    assert answer.covered
    assert "有害垃圾" in answer.body
    assert answer.citation.startswith("出处：《垃圾分类指南》")
    assert "GB/T 19095-2019" in answer.citation


@pytest.mark.parametrize(
    "question",
    [
        "明天铜仁会下雨吗？",
        "护照在哪里办",
        pytest.param(
            "红烧肉怎么做才好吃",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known miss of the learned coverage decision: it lands on the guide's "
                "做饭节能 just above the cut (README, Measured)",
            ),
        ),
    ],
)
def test_off_topic_questions_are_not_covered_and_point_to_12345(
    knowledge_engine: AnswerEngine, question: str
) -> None:
    answer = knowledge_engine.answer(question)
    assert not answer.covered
    assert "12345" in answer.answer
    assert "/report" in answer.answer


def test_a_greeting_gets_an_introduction_not_a_retrieval(knowledge_engine: AnswerEngine) -> None:
    answer = knowledge_engine.answer("你好")
    assert answer.intent == "greeting" and answer.sources == []
    assert "绿色铜仁助手" in answer.answer


def test_a_follow_up_borrows_the_previous_question(knowledge_engine: AnswerEngine) -> None:
    first = knowledge_engine.answer("县城污水处理率要达到多少？")
    follow = knowledge_engine.answer("那农村呢？", previous=first.retrieval_query)
    assert follow.covered
    assert follow.sources[0].section == "三(五)"
    assert "25%" in follow.body


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \n  ",
        "垃" * 10_000,
        "🌱🌍♻️",
        "Hello, 垃圾 sorting 怎么做? thanks",
        "<script>alert('x')</script><b>&</b> 垃圾分类怎么做？",
        "\x00\x01控制字符",
    ],
)
def test_bad_input_still_gets_a_valid_answer(knowledge_engine: AnswerEngine, question: str) -> None:
    answer = knowledge_engine.answer(question)
    data = json.loads(json.dumps(answer.to_json(), ensure_ascii=False))
    assert set(data) == {"question", "covered", "answer", "sources"}
    assert data["answer"]
    assert len(data["sources"]) <= 5


def test_greenbot_ask_json_reads_stdin_and_answers_each_line_in_order(knowledge_config) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "GREENBOT_DATA_DIR": str(knowledge_config.data_dir),
        "GREENBOT_EMBEDDING_MODEL": knowledge_config.model,
    }
    lines = ["垃圾分类怎么做？", "明天会下雨吗？", "", "2025年农村污水治理率要到多少？"]
    result = subprocess.run(
        [sys.executable, "-m", "greenbot", "ask", "--json"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == lines
    assert [a["covered"] for a in answers] == [True, False, False, True]
    for answer in answers:
        for source in answer["sources"]:
            assert set(source) == {"section", "title", "text", "score", "source"}
    scores = [s["score"] for s in answers[0]["sources"]]
    assert scores == sorted(scores, reverse=True)
    assert answers[3]["sources"][0]["text"] in (
        knowledge_config.data_dir / "index" / "chunks.jsonl"
    ).read_text("utf-8")


def test_what_is_a_plan_term_gets_a_plain_explanation_and_the_plan_passage_cited(
    knowledge_engine: AnswerEngine,
) -> None:
    answer = knowledge_engine.answer("什么是中水回用？")
    assert answer.covered
    assert answer.body.startswith("中水回用，通俗地说：")
    assert "方案中的原文：" in answer.body
    assert "中水回用" in knowledge_engine.scripts.to_simplified(answer.sources[0].text)
    assert answer.citation.startswith("出处：《铜仁市“十四五”节能减排综合工作方案》")
    assert "词汇表" in answer.citation


@pytest.mark.parametrize(
    "question",
    ["规上工业单位增加值能耗要降多少", "数据中心能效有啥要求", "公交車都會換成電動的嗎？"],
)
def test_the_first_sentence_states_the_answer_briefly_in_full_width_punctuation(
    knowledge_engine: AnswerEngine, question: str
) -> None:
    answer = knowledge_engine.answer(question)
    first = answer.body.split("。")[0]
    assert answer.covered and 0 < len(first) <= 120
    assert not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]", answer.body)
    plan_part = re.split(r"\n(?:您可以这样做|您可以這樣做)：", answer.body)[0]
    assert plan_part.count("。") <= 3, "the lead and at most two supports (a guide tip may follow)"


def test_related_questions_never_lead_back_to_the_passage_just_shown(
    knowledge_engine: AnswerEngine,
) -> None:
    answer = knowledge_engine.answer("2025年农村污水治理率要到多少？")
    assert answer.related
    for question in answer.related:
        again = knowledge_engine.answer(question)
        assert again.sources[0].text != answer.sources[0].text, question
