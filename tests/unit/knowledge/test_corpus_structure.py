"""The plan and the guides parse into the sections citizens are cited."""

from __future__ import annotations

import re

from knowledge.chunking import MAX_CHARS, chunk_sections
from knowledge.corpus import PLAN_FILE, load_sections
from knowledge.plan import parse_departments, parse_plan, split_duty_note

PLAN_IDS = (
    ["序", "一", "二"]
    + [f"三({n})" for n in "一二三四五六七八九十"]
    + [f"四({n})" for n in "一二三四五六七"]
    + [f"五({n})" for n in "一二三"]
)


def test_the_project_copy_of_the_plan_has_its_three_mis_encodings_repaired() -> None:
    text = PLAN_FILE.read_text("utf-8")
    assert "?" not in text
    assert "。“十四五”時期" in text
    assert "。〔市工業和信息化局" in text
    assert "㵲陽河" in text


def test_the_plan_parses_into_every_part_and_measure_in_order() -> None:
    sections = parse_plan(PLAN_FILE)
    assert [s.id for s in sections] == PLAN_IDS
    titles = {s.id: s.title for s in sections}
    assert titles["三(十)"] == "環境基礎設施水平提升工程"
    assert titles["五(三)"] == "開展全民行動"
    assert titles["二"] == "主要目標"


def test_a_measure_wrapped_onto_two_lines_stays_one_measure() -> None:
    first = next(s for s in parse_plan(PLAN_FILE) if s.id == "三(一)")
    assert "全流程、全環節超低排放" in first.body
    assert "淘汰30蒸噸/小時以下燃煤鍋爐" in first.body


def test_targets_are_numbers_with_their_units() -> None:
    sections = {s.id: s for s in parse_plan(PLAN_FILE)}
    assert {"97%", "90%", "70%", "2025年"} <= set(sections["三(十)"].targets)
    assert "30蒸噸/小時" in sections["三(一)"].targets
    assert {"25%", "86%", "45%", "60%"} <= set(sections["三(五)"].targets)


def test_departments_come_from_the_closing_parenthesis_with_lead_units_apart() -> None:
    sections = {s.id: s for s in parse_plan(PLAN_FILE)}
    transport = sections["三(四)"].departments
    assert transport.lead == ("市交通運輸局", "市發展改革委")
    assert "市郵政管理局" in transport.responsible
    assert sections["三(六)"].departments.responsible == ("市機關事務中心",)
    assert "市工業和信息化局" in sections["三(一)"].departments.responsible
    assert "負責" not in sections["三(十)"].body[-20:]


def test_duty_notes_with_nested_parentheses_split_whole() -> None:
    body, note = split_duty_note("正文。(甲局、乙局牽頭,各區(縣、開發區)人民政府等按職責分工負責)")
    assert body == "正文。"
    departments = parse_departments(note)
    assert departments.lead == ("甲局", "乙局")
    assert departments.responsible == ("各區(縣、開發區)人民政府",)


def test_the_news_lead_that_repeats_a_measure_is_not_indexed_twice() -> None:
    preamble = parse_plan(PLAN_FILE)[0]
    assert "探索建設園區層面工業固廢" not in preamble.body
    assert "2023年7月11日" in preamble.body


def test_guides_parse_with_slug_and_heading_ids_and_name_their_source() -> None:
    guides = [s for s in load_sections() if s.source.startswith("guide:")]
    assert guides, "the curated guides are part of the knowledge base"
    for section in guides:
        slug, _, heading = section.id.partition("/")
        assert section.source == f"guide:{slug}" and heading == section.title
        assert section.origin, f"{section.id} names no source"
    assert any(s.id.startswith("garbage-sorting/") for s in guides)


def test_chunks_stay_inside_a_section_and_never_part_a_number_from_its_unit() -> None:
    sections = load_sections()
    chunks = chunk_sections(sections)
    by_section = {s.id: s for s in sections}
    for chunk in chunks:
        section = by_section[chunk.section_id]
        note = f"({section.origin})" if section.source == "plan" and section.origin else ""
        assert chunk.text in section.body + note  # a measure's department note ends it
        assert len(chunk.text) <= MAX_CHARS + 40
    for section in sections:
        for target in section.targets:
            assert any(target in c.text for c in chunks if c.section_id == section.id), target
    numbers = re.compile(r"\d+(?:\.\d+)?%")
    for section in sections:
        whole = numbers.findall(section.body)
        pieces = [m for c in chunks if c.section_id == section.id for m in numbers.findall(c.text)]
        assert sorted(whole) == sorted(pieces)
