"""The house rules about imports, read from the source with :mod:`ast`.

- A package never imports another package's private ``_module``: each one's ``__init__``
  is its surface, so its inside can be rearranged without breaking a neighbour.
- The parts of ``actors`` import each other without a cycle: a part can be read,
  tested and changed knowing only what it imports.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a deferred
import hides a cycle from Python's loader but not from the reader (the kit's
SuperCollider writer once imported the voice inside its function, because the voice
imports the kit). A package's ``commands`` module (its ``supertonic`` sub-commands) is a
part of its own: only the command line imports it, from above, so it may use packages
that use its own (``kit.commands`` writes SuperCollider with the voice, which reads kits).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "actors"

@dataclasses.dataclass(frozen=True)
class Import:
    module: str
    """The importing module, e.g. ``actors.session._core``."""
    target: str
    """A module (or a name in one) it imports, resolved to an absolute dotted name."""
    where: str
    """``file:line`` of the import."""


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path) -> Iterator[Import]:
    """Every import statement in the ``actors`` package under ``root``, anywhere in a file."""
    for path in sorted((root / "actors").rglob("*.py")):
        module = module_name(path, root)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, alias.name, where)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                yield Import(module, source, where)
                for alias in node.names:
                    # ``from actors.kit import _scd`` imports a module; ``import Drum``, a name
                    yield Import(module, f"{source}.{alias.name}", where)


def private_module(target: str) -> str | None:
    """``actors.x._y`` for a target inside a private module of package ``actors.x``."""
    parts = target.split(".")
    if parts[0] != "actors":
        return None
    for index, part in enumerate(parts[2:], 2):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[: index + 1])
    return None


def private_imports(root: Path) -> dict[tuple[str, str], list[str]]:
    """(importer, private module) -> where, for private modules of another package."""
    found: dict[tuple[str, str], list[str]] = {}
    for item in imports(root):
        private = private_module(item.target)
        if private is None:
            continue
        owner = private.rpartition(".")[0]
        if item.module == owner or item.module.startswith(owner + "."):
            continue
        where = found.setdefault((item.module, private), [])
        if item.where not in where:
            where.append(item.where)
    return found


def part(module: str) -> str | None:
    """The part of ``actors`` a module belongs to: ``actors.x``, or ``actors.x.commands``."""
    parts = module.split(".")
    if parts[0] != "actors" or len(parts) < 2:
        return None
    if len(parts) >= 3 and parts[2] == "commands":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def part_graph(root: Path) -> dict[str, dict[str, list[str]]]:
    """part -> imported part -> where; a name imported from ``actors`` itself (``from
    actors import kit``) is the part it names."""
    existing = {module_name(p, root) for p in (root / "actors").rglob("*.py")}
    graph: dict[str, dict[str, list[str]]] = {}
    for item in imports(root):
        target = item.target
        while target not in existing and "." in target:
            target = target.rpartition(".")[0]  # a name in a module: the module
        source, imported = part(item.module), part(target)
        if source and imported and source != imported:
            where = graph.setdefault(source, {}).setdefault(imported, [])
            if item.where not in where:
                where.append(item.where)
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one part (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in graph.get(node, {}):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(graph: dict[str, dict[str, list[str]]], component: list[str]) -> str:
    edges = [f"  {a} -> {b} ({', '.join(graph[a][b])})"
             for a in component for b in component if b in graph.get(a, {})]
    return "\n".join([" <-> ".join(component), *edges])


def test_no_package_imports_another_packages_private_module():
    found = private_imports(REPO)
    assert not found, "private modules imported from outside their package:\n" + "\n".join(
        f"  {importer} imports {private} ({', '.join(where)})"
        for (importer, private), where in sorted(found.items())
    )


def test_the_parts_of_actors_import_each_other_without_a_cycle():
    graph = part_graph(REPO)
    found = cycles(graph)
    assert not found, "import cycles between parts of actors:\n" + "\n".join(
        describe(graph, c) for c in found)


def test_no_package_imports_its_own_commands():
    """What lets ``commands`` be a part of its own: nothing inside the package uses it."""
    graph = part_graph(REPO)
    inward = [(p, c) for p, imported in graph.items() for c in imported
              if c.endswith(".commands") and c.rpartition(".")[0] == p]
    assert not inward


# The checks themselves, on a small planted tree: each must see what it is for.


def plant(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("statement", [
    "from actors.b._inner import thing",
    "from actors.b import _inner",
    "import actors.b._inner",
    "from ..b._inner import thing",
    "def late():\n    from actors.b._inner import thing\n",
])
def test_a_planted_private_import_is_caught(tmp_path, statement):
    root = plant(tmp_path, {
        "actors/__init__.py": "",
        "actors/a/__init__.py": "",
        "actors/a/_use.py": statement + "\n",
        "actors/b/__init__.py": "from ._inner import thing\n",
        "actors/b/_inner.py": "thing = 1\n",
    })
    assert set(private_imports(root)) == {("actors.a._use", "actors.b._inner")}


def test_a_package_may_import_its_own_private_modules(tmp_path):
    root = plant(tmp_path, {
        "actors/__init__.py": "",
        "actors/b/__init__.py": "from ._inner import thing\nfrom actors.b._inner import thing\n",
        "actors/b/_inner.py": "thing = 1\n",
        "actors/b/sub/__init__.py": "from .._inner import thing\n",
    })
    assert private_imports(root) == {}


@pytest.mark.parametrize("deferred", [False, True])
def test_a_planted_cycle_is_caught(tmp_path, deferred):
    back = ("def late():\n    from actors.a import one\n" if deferred
            else "from actors import a\n")
    root = plant(tmp_path, {
        "actors/__init__.py": "",
        "actors/a/__init__.py": "from ._one import one\n",
        "actors/a/_one.py": "from actors.b import two\none = 1\n",
        "actors/b/__init__.py": "from ._two import two\n",
        "actors/b/_two.py": back + "two = 2\n",
        "actors/c.py": "import actors.a\n",
    })
    assert cycles(part_graph(root)) == [["actors.a", "actors.b"]]


def test_a_commands_module_is_a_part_of_its_own(tmp_path):
    root = plant(tmp_path, {
        "actors/__init__.py": "",
        "actors/kit/__init__.py": "",
        "actors/kit/commands.py": "from actors.voice import scd_text\n",
        "actors/voice/__init__.py": "from actors.kit import Drum\n",
    })
    graph = part_graph(root)
    assert graph == {"actors.kit.commands": {"actors.voice": ["actors/kit/commands.py:1"]},
                     "actors.voice": {"actors.kit": ["actors/voice/__init__.py:1"]}}
    assert cycles(graph) == []
