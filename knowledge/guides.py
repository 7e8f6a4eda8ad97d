"""Parse the curated green-life guides (Markdown) into citable sections.

Format: `# title`, a `来源：` line naming the public sources, then `## heading` sections.
A section's id is `<file stem>/<heading>`.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.sections import Section

ORIGIN_PREFIXES = ("来源：", "来源:")


def parse_guide(path: Path) -> list[Section]:
    slug = path.stem
    title = slug
    origin = ""
    sections: list[Section] = []
    heading: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if heading is not None and "".join(lines).strip():
            sections.append(
                Section(
                    id=f"{slug}/{heading}",
                    title=heading,
                    body=_join(lines),
                    source=f"guide:{slug}",
                    document=f"《{title}》",
                    origin=origin,
                )
            )

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            flush()
            heading, lines = line[3:].strip(), []
        elif line.startswith("# ") and heading is None:
            title = line[2:].strip()
        elif line.startswith(ORIGIN_PREFIXES) and heading is None:
            origin = line.split("：", 1)[-1].split(":", 1)[-1].strip()
        elif heading is not None:
            lines.append(line)
    flush()
    return sections


def _join(lines: list[str]) -> str:
    """List items become sentences, so chunking on 。； still sees their boundaries."""
    parts = []
    for line in lines:
        if not line:
            continue
        if line.startswith(("- ", "* ")):
            line = line[2:].strip()
        if line[-1] not in "。！？；：:":
            line += "。"
        parts.append(line)
    return "".join(parts)


def parse_guides(folder: Path) -> list[Section]:
    return [section for path in sorted(folder.glob("*.md")) for section in parse_guide(path)]
