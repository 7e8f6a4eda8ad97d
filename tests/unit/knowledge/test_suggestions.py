"""The "相关问题" suggestions cover every section and pick buttons predictably."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from knowledge.corpus import load_sections
from knowledge.scripts import ScriptConverter
from knowledge.suggestions import SUGGESTIONS_FILE, Suggestion, Suggestions, normalize

DEV_QUESTIONS = Path(__file__).parents[2] / "data" / "dev_questions.jsonl"

SAMPLE = """\
甲:
  - 第一问？
  - 第二问？
  - 第三问？
乙:
  - 第四问？
丙:
  - 第五问？
"""


@pytest.fixture(scope="module")
def shipped() -> Suggestions:
    return Suggestions.load()


@pytest.fixture
def sample(tmp_path: Path) -> Suggestions:
    path = tmp_path / "suggestions.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    return Suggestions.load(path)


def test_every_section_has_one_to_three_suggestions(shipped: Suggestions) -> None:
    section_ids = [section.id for section in load_sections()]
    assert sorted(shipped.sections()) == sorted(section_ids)
    for section_id in section_ids:
        assert 1 <= len(shipped.by_section[section_id]) <= 3, section_id


def test_suggestions_are_short_simplified_questions_not_in_the_dev_set(
    shipped: Suggestions,
) -> None:
    scripts = ScriptConverter()
    dev = {
        normalize(json.loads(line)["question"])
        for line in DEV_QUESTIONS.read_text("utf-8").splitlines()
        if line.strip()
    }
    for suggestion in shipped.by_id.values():
        assert len(suggestion.question) <= 20, suggestion
        assert scripts.to_simplified(suggestion.question) == suggestion.question, suggestion
        assert normalize(suggestion.question) not in dev, suggestion


def test_ids_are_the_crc32_of_the_question_and_unique(shipped: Suggestions) -> None:
    total = sum(len(suggestions) for suggestions in shipped.by_section.values())
    assert len(shipped) == total
    for suggestions in shipped.by_section.values():
        for suggestion in suggestions:
            expected = zlib.crc32(suggestion.question.encode("utf-8")) & 0x7FFFFFFF
            assert suggestion.id == expected
            assert shipped.get(suggestion.id) == suggestion


def test_a_known_question_has_a_fixed_id(tmp_path: Path) -> None:
    path = tmp_path / "suggestions.yaml"
    path.write_text("丙:\n  - 第五问？\n", encoding="utf-8")
    (suggestion,) = Suggestions.load(path).for_sections(["丙"])
    assert suggestion == Suggestion(zlib.crc32("第五问？".encode()) & 0x7FFFFFFF, "第五问？", "丙")


def test_the_same_question_under_two_sections_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "suggestions.yaml"
    path.write_text(SAMPLE + "丁:\n  - 第一问？\n", encoding="utf-8")
    with pytest.raises(ValueError, match="share id"):
        Suggestions.load(path)


@pytest.mark.parametrize("text", ["- 一\n- 二\n", "甲: 第一问？\n", "甲:\n  - 1\n"])
def test_a_malformed_file_is_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "suggestions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        Suggestions.load(path)


def questions(suggestions: list[Suggestion]) -> list[str]:
    return [suggestion.question for suggestion in suggestions]


def test_sections_are_walked_best_first_in_file_order(sample: Suggestions) -> None:
    assert questions(sample.for_sections(["乙", "甲"])) == ["第四问？", "第一问？", "第二问？"]
    assert questions(sample.for_sections(["丙", "乙", "甲"], limit=5)) == [
        "第五问？",
        "第四问？",
        "第一问？",
        "第二问？",
        "第三问？",
    ]


def test_limit_caps_the_buttons(sample: Suggestions) -> None:
    assert questions(sample.for_sections(["甲", "乙"], limit=2)) == ["第一问？", "第二问？"]
    assert sample.for_sections(["甲"], limit=0) == []


def test_fewer_than_limit_returns_what_there_is(sample: Suggestions) -> None:
    assert questions(sample.for_sections(["丙"])) == ["第五问？"]
    assert sample.for_sections([]) == []
    assert sample.for_sections(["没有这一节"]) == []


def test_the_question_just_asked_is_skipped_ignoring_punctuation(sample: Suggestions) -> None:
    assert questions(sample.for_sections(["甲"], exclude=" 第二问 ")) == ["第一问？", "第三问？"]
    assert questions(sample.for_sections(["甲"], exclude="第二问?")) == ["第一问？", "第三问？"]
    assert questions(sample.for_sections(["甲", "丙"], exclude="第一问？")) == [
        "第二问？",
        "第三问？",
        "第五问？",
    ]


def test_a_repeated_section_gives_distinct_suggestions(sample: Suggestions) -> None:
    assert questions(sample.for_sections(["丙", "丙", "乙"])) == ["第五问？", "第四问？"]


def test_an_unknown_id_is_none(shipped: Suggestions) -> None:
    assert shipped.get(0) is None
    assert shipped.get(-1) is None
    assert shipped.get(2**31) is None


def test_the_shipped_file_is_the_default(shipped: Suggestions) -> None:
    assert SUGGESTIONS_FILE.name == "suggestions.yaml"
    assert len(Suggestions.load(SUGGESTIONS_FILE)) == len(shipped)
