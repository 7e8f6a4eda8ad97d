"""What the knowledge base is made of: sections of the plan and of the green-life guides."""

from __future__ import annotations

from dataclasses import dataclass, field

PLAN_TITLE = "《铜仁市“十四五”节能减排综合工作方案》"
PLAN_SOURCE = "plan"


@dataclass(frozen=True)
class Departments:
    """Who the plan makes responsible: 牵头 (lead) and 负责 (responsible) units."""

    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.lead + tuple(d for d in self.responsible if d not in self.lead)


@dataclass(frozen=True)
class Section:
    """One citable unit: a plan part or measure (`三(十)`), or a guide heading (`slug/heading`).

    `body` is the source text as written (Traditional for the plan); `source` names the document.
    """

    id: str
    title: str
    body: str
    source: str  # "plan" or "guide:<slug>"
    document: str  # the document's display title, e.g. 《…方案》 or 《垃圾分类指南》
    part_title: str = ""  # for plan measures: the part they belong to (三、实施节能减排重点工程)
    departments: Departments = field(default_factory=Departments)
    targets: tuple[str, ...] = ()
    origin: str = ""  # where a guide's facts come from (its 来源 line)
