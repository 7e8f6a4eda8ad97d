"""Parse the plan's text into its parts (一、…五、) and measures ((一)…(十)).

Each measure keeps its title (the words before the first 。), its body, the targets it sets
(numbers with units) and the departments named in its closing parenthesis (牵头 / 负责).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

from knowledge.sections import PLAN_SOURCE, PLAN_TITLE, Departments, Section

PART = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
MEASURE = re.compile(r"^\(([一二三四五六七八九十]+)\)(.*)$")
TARGET = re.compile(r"\d+(?:\.\d+)?(?:%|％|蒸[噸吨]/小[時时]|年|個|个|家)")
DUTY_SUFFIX = re.compile(r"(等)?(按職責分工|按职责分工)?(負責|负责)(落實|落实)?$")
LEAD_SUFFIX = re.compile(r"(牽頭|牵头)$")
PREAMBLE_ID = "序"


def parse_plan(path: Path) -> list[Section]:
    """Sections in reading order: `序` (notice and preamble), parts, then their measures."""
    blocks: list[tuple[str, str, str]] = []  # (id, title, text)
    part_titles: dict[str, str] = {}
    current_part = ""
    preamble: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if part := PART.match(line):
            current_part = part.group(1)
            part_titles[current_part] = part.group(2)
            blocks.append((current_part, part.group(2), ""))
        elif current_part and (measure := MEASURE.match(line)):
            title, _, rest = measure.group(2).partition("。")
            blocks.append((f"{current_part}({measure.group(1)})", title, rest))
        elif blocks:
            section_id, title, text = blocks[-1]
            blocks[-1] = (section_id, title, text + line)  # a measure wrapped onto a new line
        else:
            preamble.append(line)
    measure_text = "".join(text for _, _, text in blocks)
    sections = [_preamble([line for line in preamble if not _quotes(line, measure_text)])]
    for section_id, title, text in blocks:
        if not text:
            continue  # a part heading whose content lives in its measures
        part_id = section_id.split("(")[0]
        body, duty = split_duty_note(text)
        sections.append(
            Section(
                id=section_id,
                title=title,
                body=body,
                source=PLAN_SOURCE,
                document=PLAN_TITLE,
                part_title=f"{part_id}、{part_titles.get(part_id, '')}",
                departments=parse_departments(duty),
                targets=tuple(dict.fromkeys(TARGET.findall(body))),
                origin=duty,
            )
        )
    return sections


def _quotes(line: str, text: str) -> bool:
    """True for the news lead the file opens with: it repeats a measure almost word for word,
    and indexing it under 序 would make the same sentence compete with its real section."""
    matcher = SequenceMatcher(None, line, text, autojunk=False)
    match = matcher.find_longest_match(0, len(line), 0, len(text))
    return match.size >= 0.7 * len(line)


def _preamble(lines: list[str]) -> Section:
    body = "".join(line if line.endswith(("。", ":", "：")) else line + "。" for line in lines)
    return Section(
        id=PREAMBLE_ID,
        title="印发通知与编制说明",
        body=body,
        source=PLAN_SOURCE,
        document=PLAN_TITLE,
        targets=tuple(dict.fromkeys(TARGET.findall(body))),
    )


def split_duty_note(text: str) -> tuple[str, str]:
    """Split a measure into its body and the closing (…负责) or 〔…〕 note naming departments."""
    text = text.rstrip()
    closers = {")": "(", "〕": "〔", "）": "（"}
    if not text or text[-1] not in closers:
        return text, ""
    close, open_ = text[-1], closers[text[-1]]
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == close:
            depth += 1
        elif text[index] == open_:
            depth -= 1
            if depth == 0:
                note = text[index + 1 : -1]
                if "負責" in note or "负责" in note or "牽頭" in note or "牵头" in note:
                    return text[:index].rstrip(), note
                return text, ""
    return text, ""


def parse_departments(note: str) -> Departments:
    """`甲、乙牵头，丙、丁等按职责分工负责` → lead (甲, 乙), responsible (丙, 丁)."""
    first_sentence = note.split("。")[0]
    lead: list[str] = []
    responsible: list[str] = []
    for clause in re.split(r"[，,]", first_sentence):
        clause = clause.strip()
        if LEAD_SUFFIX.search(clause):
            lead += _split_names(LEAD_SUFFIX.sub("", clause))
        elif DUTY_SUFFIX.search(clause):
            responsible += _split_names(DUTY_SUFFIX.sub("", clause))
    return Departments(lead=tuple(lead), responsible=tuple(responsible))


def _split_names(text: str) -> list[str]:
    """Split on 、 outside parentheses: `各區(縣、高新區)人民政府` stays one name."""
    names, depth, current = [], 0, ""
    for char in text:
        depth += char in "(（"
        depth -= char in ")）"
        if char == "、" and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    return [name.strip() for name in names if name.strip()]
