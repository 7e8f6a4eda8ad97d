"""The routing table (category → department, and who may receive a transfer), from YAML.

The data lives in `routing.yaml` so staff can change it without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from reports.categories import Category
from reports.errors import UnknownDepartment

DEFAULT_ROUTING_PATH = Path(__file__).with_name("routing.yaml")


@dataclass(frozen=True)
class Routing:
    defaults: dict[Category, str]
    departments: tuple[str, ...]

    def department_for(self, category: Category | str) -> str:
        """The department a new report of this category starts with."""
        return self.defaults[Category(category)]

    def check_department(self, name: str) -> str:
        """Return the department as listed, or raise UnknownDepartment."""
        cleaned = name.strip()
        if cleaned not in self.departments:
            raise UnknownDepartment(f"unknown department: {name!r}")
        return cleaned


def load_routing(path: Path | None = None) -> Routing:
    """Read and validate the table; a missing category or unlisted default raises ValueError."""
    raw = yaml.safe_load((path or DEFAULT_ROUTING_PATH).read_text(encoding="utf-8")) or {}
    departments = tuple(str(name).strip() for name in raw.get("departments") or ())
    defaults_raw = raw.get("defaults") or {}
    unknown = set(defaults_raw) - {c.value for c in Category}
    if unknown:
        raise ValueError(f"routing.yaml: unknown categories {sorted(unknown)}")
    missing = [c.value for c in Category if c.value not in defaults_raw]
    if missing:
        raise ValueError(f"routing.yaml: no department for {missing}")
    defaults = {Category(code): str(name).strip() for code, name in defaults_raw.items()}
    unlisted = sorted(set(defaults.values()) - set(departments))
    if unlisted:
        raise ValueError(f"routing.yaml: defaults not in departments: {unlisted}")
    return Routing(defaults=defaults, departments=departments)
