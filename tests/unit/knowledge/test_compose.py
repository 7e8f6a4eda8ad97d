"""Answers read at a glance: the lead states what was asked within 120 characters, taken from
the best passage; at most two supporting sentences; full-width punctuation in Chinese."""

from __future__ import annotations

from pathlib import Path

from knowledge import learned
from knowledge.compose import LEAD_CHARS, Sentence, close, compose, full_width, windows
from knowledge.questions import answer_shape


def test_ascii_punctuation_beside_chinese_becomes_full_width() -> None:
    assert (
        full_width("健全体系,推动(市水务局)落实;到2025年")
        == "健全体系，推动（市水务局）落实；到2025年"
    )
    assert full_width("1,000 tons; 3.5%") == "1,000 tons; 3.5%"  # numbers and English keep theirs


def test_a_piece_always_ends_as_a_sentence() -> None:
    assert close("分类投放；") == "分类投放。"
    assert close("其他省电办法：") == "其他省电办法。"
    assert close("到2025年达到95%。") == "到2025年达到95%。"


def words(*wanted: str):  # type: ignore[no-untyped-def]
    return lambda text: float(sum(w in text for w in wanted))


LONG = (
    "加强数据中心、5G通信基站等新型基础设施节能管理,严格执行通讯、运算、存储、传输等设备国家"
    "能效标准,提高准入门槛,淘汰落后设备和技术,积极创建绿色数据中心,推动园区循环化改造,"
    "“十四五”时期,规模以上工业单位增加值能耗下降15%,万元工业增加值用水量下降20%。"
)
SHIPPED = Path(__file__).resolve().parents[3] / "knowledge" / "models.json"


def test_a_long_sentence_offers_every_run_of_its_clauses_that_fits_the_lead() -> None:
    runs = windows(LONG)
    assert len(runs) > 10 and all(len(run) <= LEAD_CHARS and run in LONG for run in runs)
    assert "万元工业增加值用水量下降20%。" in runs  # the last clause alone is one
    assert windows("短句。") == ["短句。"]


def test_the_shipped_lead_model_leads_with_the_figure_and_does_not_repeat_it() -> None:
    model = learned.load(SHIPPED)["lead"]
    body = compose(
        [Sentence("其他措施。", 0, (0, 0)), Sentence(LONG, 0, (0, 1))],
        words("工业", "用水", "下降"),
        answer_shape("工厂用水要降多少"),
        question="工厂用水要降多少",
        lead_model=model,
    )
    lead, _, rest = body.partition("。")
    assert len(lead) <= LEAD_CHARS and "20%" in lead
    assert "20%" not in rest


def test_the_lead_is_the_window_of_the_long_sentence_that_states_the_figure() -> None:
    long = LONG
    body = compose(
        [Sentence(long, 0, (0, 0)), Sentence("其他措施。", 0, (0, 1))],
        words("工业", "用水"),
        answer_shape("工厂用水要降多少"),
    )
    lead = body.split("。")[0]
    assert len(lead) <= LEAD_CHARS and "20%" in lead and "用水量" in lead
    assert "," not in body


def test_the_lead_comes_from_the_best_passage_and_supports_follow_in_order() -> None:
    body = compose(
        [
            Sentence("别的段落里也说到公交车。", 1, (0, 0)),
            Sentence("先说背景。", 0, (1, 0)),
            Sentence("城市公交新能源车辆占比达95%。", 0, (1, 1)),
        ],
        words("公交"),
        answer_shape("公交车要换多少"),
    )
    assert body.startswith("城市公交新能源车辆占比达95%。")
    assert body.count("。") <= 3
