"""The house's rules, checked on the source: no import cycle inside ``kpi_core`` (imports
inside functions count), no private name imported across modules, no xlwings in
``kpi_core``, layers that import downwards only, and modules of one concept each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "kpi_core"
PRODUCT = ("kpi_core", "addin", "benchmarks", "workbook_templates")
#: The layers of kpi_core, lowest first: a module may import its own layer and those below.
LAYERS = (
    {"kpi_core.model", "kpi_core.period", "kpi_core.errors", "kpi_core.atomic",
     "kpi_core.formatting", "kpi_core.cells", "kpi_core.accelerators"},
    "kpi_core.reading",
    "kpi_core.assessing",
    "kpi_core.publishing",
    {"kpi_core.pipeline"},
    "kpi_core.authoring",
)
#: About 600 lines at most: one concept per module.
MAX_LINES = 650
#: Modules allowed past MAX_LINES for now, and why.
LONG_MODULES: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").exists()


def is_module(name: str) -> bool:
    return is_package(name) or (ROOT / Path(*name.split("."))).with_suffix(".py").exists()


def product_files(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py")
                  if ".venv" not in p.parts and "node_modules" not in p.parts)


def imports(path: Path) -> list[tuple[str, str | None, int]]:
    """Every import of a file, at any depth (module level and inside functions), as
    (absolute module, imported name or None, line)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found += [(module, a.name, node.lineno) for a in node.names]
    return found


def targets(module: str, name: str | None) -> str:
    """The module an import loads: ``from pkg import mod`` loads ``pkg.mod``."""
    if name and is_module(f"{module}.{name}"):
        return f"{module}.{name}"
    return module


def core_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in product_files("kpi_core"):
        edges = graph.setdefault(module_name(path), set())
        for module, name, _line in imports(path):
            target = targets(module, name)
            if target.split(".")[0] == "kpi_core" and not is_package(target):
                edges.add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (or a module importing
    itself), as a sorted list (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def layer_of(module: str) -> int:
    for i, layer in enumerate(LAYERS):
        if module in layer if isinstance(layer, set) else module.startswith(layer + "."):
            return i
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def test_the_cycle_finder_finds_cycles():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"a"}}) == [["a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_kpi_core():
    assert find_cycles(core_graph()) == []


def test_layers_import_downwards_only():
    upward = [f"{module} imports {target}"
              for module, edges in core_graph().items() for target in sorted(edges)
              if layer_of(target) > layer_of(module)]
    assert upward == []


def test_the_import_reader_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from kpi_core.reading.xlsx import _private\n")
    assert [(m, n) for m, n, _ in imports_of_text(source)] == [
        ("kpi_core.reading.xlsx", "_private")]


def imports_of_text(path: Path) -> list[tuple[str, str | None, int]]:
    """:func:`imports` of a file outside the repository (absolute imports only)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level:
            found += [(node.module, a.name, node.lineno) for a in node.names]
    return found


@pytest.mark.parametrize("top", PRODUCT)
def test_no_private_name_is_imported_across_modules(top):
    private = [f"{path.relative_to(ROOT)}:{line}: from {module} import {name}"
               for path in product_files(top) for module, name, line in imports(path)
               if name and name.startswith("_") and not name.startswith("__")]
    assert private == []


def test_kpi_core_never_imports_xlwings():
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in product_files("kpi_core") for module, name, line in imports(path)
             if module.split(".")[0] == "xlwings"]
    assert found == []


def test_modules_hold_one_concept_each():
    long = {str(p.relative_to(ROOT)): n for p in product_files(*PRODUCT)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= set(LONG_MODULES), long


def test_no_test_module_imports_another():
    """Shared helpers live in tests/support; a test module imports none of its peers."""
    found = [f"{path.relative_to(ROOT)}:{line}: {targets(module, name)}"
             for path in sorted((ROOT / "tests").rglob("test_*.py"))
             if "node_modules" not in path.parts
             for module, name, line in imports(path)
             if module.split(".")[0] == "tests"
             and targets(module, name).rpartition(".")[2].startswith("test_")]
    assert found == []
