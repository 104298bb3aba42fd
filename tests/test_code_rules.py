"""The rules the code keeps, checked where a change lands: lint, format, types, and the flow.

The flow: each layer of the house imports only the layers below it (`LAYERS`, drawn in the
README's Architecture section), and no import hides inside a function unless it saves measured
start-up time and says so in a comment ("start-up: …") beside it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISCORD_ALLOWED = {"bot.runner", "bot.cluster.replies", "bot.cluster.posting"}
"""The core's only modules that may import discord.py: the runners, the bot's and the worker's
(which answers and posts digests over Discord's REST API). Renderers make plain data."""

LAYERS: dict[str, tuple[str, ...]] = {
    "base": (
        "bot",
        "bot.errors",
        "bot.clock",
        "bot.logs",
        "bot.process",
        "bot.config",
        "bot.schema",
        "bot.storage",
        "bot.store",
        "bot.pgstore",
        "bot.database",
    ),
    "text": ("bot.text",),
    "model": ("bot.thread", "bot.brief", "bot.parcel"),
    "fetch": ("bot.fetch",),
    "sources": ("bot.sources", "bot.listing"),
    "ranking": ("bot.ranking",),
    "briefing": ("bot.summarize", "bot.viewpoints", "bot.timeline"),
    "pipeline": ("bot.pipeline",),
    "render": ("bot.render",),
    "jobs": ("bot.workers", "bot.jobs", "bot.monitor", "bot.answering"),
    "commands": ("bot.commands",),
    "digest": ("bot.digest",),
    "cluster": ("bot.cluster",),
    "app": ("bot.cli", "bot.runner", "bot.__main__"),
    "cogs": ("cogs",),
}
"""The layers, each with the modules (and packages) it holds."""

BELOW: dict[str, tuple[str, ...]] = {
    "base": (),
    "text": ("base",),
    "model": ("text",),
    "fetch": ("base",),
    "sources": ("model", "fetch"),
    "ranking": ("text",),
    "briefing": ("model", "ranking"),
    "pipeline": ("briefing",),
    "render": ("model",),
    "jobs": ("pipeline", "sources"),
    "commands": ("pipeline", "sources", "render"),
    "digest": ("jobs", "render"),
    "cluster": ("digest",),
    "app": ("digest", "commands", "cluster"),
    "cogs": ("app",),
}
"""The layers each layer stands on directly; it may import those and everything below them.

Fetching stands on the base alone: it never parses (sources read what it fetched). The brief's
steps never read sources, and rendering never runs them: it only reads the model.
"""

START_UP = "start-up"
"""The word a comment beside an import inside a function must hold: it is there because
importing it at the top would cost measured start-up time."""


def layer_of(module: str) -> str | None:
    best: tuple[int, str] | None = None
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            inside = module.startswith(prefix + ".") and prefix != "bot"  # bot: __init__ only
            if (module == prefix or inside) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    return best[1] if best else None


def reachable(layer: str) -> set[str]:
    """The layer and every layer below it."""
    seen = {layer}
    todo = [layer]
    while todo:
        for lower in BELOW[todo.pop()]:
            if lower not in seen:
                seen.add(lower)
                todo.append(lower)
    return seen


def is_module(package: str, name: str) -> bool:
    path = ROOT.joinpath(*package.split("."), name)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    line: int
    in_function: bool
    block: tuple[int, int]
    """First and last line of the run of import statements this one stands in."""


def _imported(node: ast.Import | ast.ImportFrom, base: list[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:
        stem = base[: len(base) - node.level + 1]
        name = ".".join([*stem, node.module] if node.module else stem)
    else:
        name = node.module or ""
    # `from bot import ranking` imports bot.ranking: count the submodule.
    return list(
        dict.fromkeys(f"{name}.{a.name}" if is_module(name, a.name) else name for a in node.names)
    )


def imports(module: str, source: str, *, package: bool = False) -> list[Import]:
    """Every module `source` imports (relative ones resolved), with where the import stands."""
    base = module.split(".") if package else module.split(".")[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for _, value in ast.iter_fields(node):
            statements = value if isinstance(value, list) else [value]
            run: list[ast.Import | ast.ImportFrom] = []
            for child in [*statements, None]:
                if isinstance(child, ast.Import | ast.ImportFrom):
                    run.append(child)
                    continue
                if run:
                    block = (run[0].lineno, run[-1].end_lineno or run[-1].lineno)
                    for statement in run:
                        found.extend(
                            Import(name, statement.lineno, inside, block)
                            for name in _imported(statement, base)
                        )
                    run = []
                if isinstance(child, ast.AST):
                    visit(child, inside)

    visit(ast.parse(source), False)
    return found


def backward_imports(module: str, source: str, *, package: bool = False) -> list[str]:
    """Imports of `module` that reach a layer not below its own, or discord.py in the core."""
    own = layer_of(module)
    assert own is not None, f"{module} belongs to no layer: add it to LAYERS"
    allowed = reachable(own)
    problems = []
    for found in imports(module, source, package=package):
        top = found.module.split(".")[0]
        if top == "discord" and own != "cogs" and module not in DISCORD_ALLOWED:
            problems.append(f"{module}:{found.line} imports discord.py")
        target = layer_of(found.module) if top in ("bot", "cogs") else None
        if top in ("tests", "bench") or (target is not None and target not in allowed):
            problems.append(f"{module}:{found.line} ({own}) imports {found.module} ({target})")
    return problems


def hidden_imports(module: str, source: str, *, package: bool = False) -> list[str]:
    """Imports inside functions with no start-up comment in their run of imports or above it."""
    lines = source.splitlines()
    problems = []
    for found in imports(module, source, package=package):
        if not found.in_function:
            continue
        first, last = found.block
        while first > 1 and lines[first - 2].strip().startswith("#"):
            first -= 1  # the comment lines just above the run count too
        near = " ".join(lines[first - 1 : last])
        if f"# {START_UP}" not in near:
            problems.append(f"{module}:{found.line} imports {found.module} inside a function")
    return problems


def modules() -> list[tuple[str, str, bool]]:
    out = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")]):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if package else parts)
        out.append((name, path.read_text("utf-8"), package))
    return out


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_every_module_imports_only_the_layers_below_it() -> None:
    offenders = [
        p
        for name, source, package in modules()
        for p in backward_imports(name, source, package=package)
    ]
    assert offenders == []


def test_no_import_hides_in_a_function_unless_it_saves_start_up() -> None:
    offenders = [
        p
        for name, source, package in modules()
        for p in hidden_imports(name, source, package=package)
    ]
    assert offenders == []


def test_a_backward_import_and_a_hidden_one_are_caught() -> None:
    source = (
        "import discord\n"
        "from bot.sources import read_bytes\n"
        "from . import chat\n"
        "def f():\n"
        "    import bot.render.json\n"
        "    x = 1\n"
        "    # start-up: 0.04 s of lxml, only for web pages\n"
        "    import lxml\n"
        "    import lxml.html\n"
        "    x = 2\n"
        "    from bot import pipeline\n"
    )
    assert backward_imports("bot.fetch.client", source) == [
        "bot.fetch.client:1 imports discord.py",
        "bot.fetch.client:2 (fetch) imports bot.sources (sources)",
        "bot.fetch.client:5 (fetch) imports bot.render.json (render)",
        "bot.fetch.client:11 (fetch) imports bot.pipeline (pipeline)",
    ]
    assert hidden_imports("bot.fetch.client", source) == [
        "bot.fetch.client:5 imports bot.render.json inside a function",
        "bot.fetch.client:11 imports bot.pipeline inside a function",
    ]
    assert backward_imports("bot.cli", source) == ["bot.cli:1 imports discord.py"]
    assert backward_imports("cogs.summarize", source) == []


def test_every_layer_stands_on_known_layers_and_none_on_itself() -> None:
    assert set(BELOW) == set(LAYERS)
    for layer, lower in BELOW.items():
        assert set(lower) <= set(LAYERS)
        assert all(layer not in reachable(below) for below in lower), layer


def test_the_readme_draws_the_layers_this_test_checks() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = re.split(r"\nlayer +stands on +modules\n", readme, maxsplit=1)[1].split("```")[0]
    drawn = {}
    for line in table.strip().splitlines():
        layer, below, _ = re.split(r"\s{2,}", line.strip(), maxsplit=2)
        drawn[layer.rstrip("/")] = tuple(b.strip() for b in below.split(",") if b.strip() != "-")
    assert drawn == BELOW


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "bot", "cogs", "tests", "bench"),
        ("ruff", "format", "--check", "bot", "cogs", "tests", "bench"),
        ("mypy",),
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict-core"],
)
def test_the_code_is_clean(command: tuple[str, ...]) -> None:
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr
