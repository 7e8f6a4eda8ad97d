"""The floors (docs/architecture.md), read from the source with `ast`: an import inside a
function counts as much as one at the top, and one under `if TYPE_CHECKING:` must not go up a
floor either.

    ground/                      imports nothing of ours
    knowledge/ reports/ campaigns/ outbox/ citizens/ staff/   (domains) ground and each other
    bot/  web/  greenbot/cli.py greenbot/commands/   (surfaces) domains, ground, the schema
    greenbot/root.py, delivery.py (and __main__.py)  (the roof) everything

The long-lived objects are built by the roof alone: no surface imports the outbox sender or
the campaign scheduler to build its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GROUND = "ground"
DOMAINS = ("knowledge", "reports", "campaigns", "outbox", "citizens", "staff")
SURFACES = ("bot", "web", "greenbot.cli", "greenbot.commands")
SCHEMA = ("greenbot.migrate", "greenbot.models", "greenbot.migrations")  # usable by surfaces
ROOF = ("greenbot.root", "greenbot.delivery", "greenbot.__main__")
SURFACE_LIBRARIES = ("aiogram", "fastapi", "starlette", "uvicorn", "jinja2", "typer")
OURS = (GROUND, *DOMAINS, "bot", "web", "greenbot")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for top in OURS:
        for path in sorted((REPO / top).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = modules()


def imports(path: Path) -> Iterator[str]:
    """Every absolute module name `path` imports (a relative import is resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            yield base
            for alias in node.names:  # `from bot import app` imports the module bot.app
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}"


def imported_names(path: Path) -> Iterator[str]:
    """`package.name` for every `from package import name` (a class as well as a module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def under(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def floor(name: str) -> str | None:
    """ground, domain, surface, schema, roof (None: not ours)."""
    if under(name, GROUND):
        return "ground"
    if under(name, DOMAINS):
        return "domain"
    if under(name, SURFACES):
        return "surface"
    if under(name, SCHEMA):
        return "schema"
    if under(name, ROOF) or name == "greenbot":
        return "roof"
    return None


ALLOWED = {
    "ground": {"ground"},
    "domain": {"ground", "domain"},
    "schema": {"ground", "domain", "schema"},
    "surface": {"ground", "domain", "schema", "surface"},  # not another surface: see below
    "roof": {"ground", "domain", "schema", "surface", "roof"},
}


def surface_of(name: str) -> str | None:
    """bot, web, or the CLI (greenbot/cli.py and its commands are one surface)."""
    if under(name, ("greenbot.cli", "greenbot.commands")):
        return "cli"
    return next((s for s in SURFACES if under(name, s)), None)


# Debt, named so it cannot grow unnoticed: remove an entry as its fix lands.
KNOWN: set[tuple[str, str]] = set()


def violations(module: str, imported: list[str]) -> list[str]:
    found = []
    mine = floor(module)
    assert mine is not None, module
    for name in imported:
        if (module, name) in KNOWN:
            continue
        theirs = floor(name)
        top = name.split(".")[0]
        if theirs is None:
            if mine in ("ground", "domain") and top in SURFACE_LIBRARIES:
                found.append(f"{module} ({mine}) imports {name}, a surface's library")
            continue
        if theirs not in ALLOWED[mine]:
            found.append(f"{module} ({mine}) imports {name} ({theirs}): up a floor")
        elif mine == "surface" and theirs == "surface" and surface_of(name) != surface_of(module):
            found.append(f"{module} (surface) imports {name}: surfaces never import each other")
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_goes_up_a_floor_and_no_surface_imports_another(module: str) -> None:
    assert violations(module, list(imports(MODULES[module]))) == []


def test_only_the_root_imports_both_bot_and_web() -> None:
    both = [
        module
        for module, path in MODULES.items()
        if {n.split(".")[0] for n in imports(path) if (module, n) not in KNOWN} >= {"bot", "web"}
    ]
    assert set(both) <= set(ROOF)


# Built once from Settings by the roof (greenbot/delivery.py): a surface importing one would be
# building a second.
BUILT_BY_THE_ROOF = (
    "outbox.OutboxSender",
    "outbox.sender.OutboxSender",
    "campaigns.SchedulerRunner",
    "campaigns.scheduler.SchedulerRunner",
)
# Debt, named: the web sandbox delivers its visitors' rows with a sender of its own.
BUILT_ELSEWHERE = {("web.sandbox.sandbox", "outbox.OutboxSender")}


def test_only_the_roof_builds_the_outbox_sender_and_the_scheduler() -> None:
    found = [
        (module, name)
        for module, path in MODULES.items()
        if floor(module) == "surface"
        for name in imported_names(path)
        if name in BUILT_BY_THE_ROOF and (module, name) not in BUILT_ELSEWHERE
    ]
    assert found == []


def package_of(name: str) -> str | None:
    """The unit a cycle is counted between: a domain, ground, bot, web, the CLI, the schema,
    the roof."""
    for unit in (GROUND, *DOMAINS, "bot", "web", *SURFACES[2:], *SCHEMA, *ROOF):
        if under(name, unit):
            return unit
    return None


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_import_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        source = package_of(module)
        for name in imports(path):
            target = package_of(name)
            if source and target and target != source:
                graph.setdefault(source, set()).add(target)
    assert cycle(graph) is None


def test_the_check_sees_every_floor_and_catches_a_violation() -> None:
    assert {floor(m) for m in MODULES} == {"ground", "domain", "surface", "schema", "roof"}
    assert violations("reports.service", ["bot.app", "aiogram"]) != []
    assert violations("bot.app", ["web.app"]) != []
    assert violations("ground.db", ["reports"]) != []
    assert violations("web.app", ["greenbot.root"]) != []
    assert violations("greenbot.cli", ["greenbot.commands.db", "ground.settings"]) == []
    assert violations("greenbot.commands.staff", ["bot.app"]) != []
    assert cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
