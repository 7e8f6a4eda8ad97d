"""The routing data file, and the rule that the domain never imports a surface library."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import Category, load_routing
from reports.routing import DEFAULT_ROUTING_PATH


def test_routing_yaml_loads_and_every_category_has_a_listed_department() -> None:
    routing = load_routing()

    assert set(routing.defaults) == set(Category)
    for category in Category:
        assert routing.department_for(category) in routing.departments
    assert routing.department_for("waste") == "市城市综合执法局"
    assert "市机关事务中心" in routing.departments


def test_routing_yaml_without_a_category_fails_at_load(tmp_path: Path) -> None:
    text = DEFAULT_ROUTING_PATH.read_text(encoding="utf-8").replace("  voc: 市生态环境局\n", "")
    broken = tmp_path / "routing.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="voc"):
        load_routing(broken)
