"""The architecture as tests: which layer may import which, no import cycles, no file I/O in models.

Layers, top to bottom: cli.py -> commands/ -> planner/ -> models/, with app/ (the web app) a top
layer beside commands: it imports planner, and neither imports the other. Arrows point down only, and inside
planner two packages stand apart: planner/io (loading, errors, writing) imports no other planner
package, and planner/nrp (the benchmark instance reader) imports only planner/io. Every import
counts, including those inside functions and under `if TYPE_CHECKING`. The checker works on source
text, so each rule is also tested on a small made-up module set that breaks it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("cli.py", "commands", "app", "planner", "models")

# Modules a model must not import: data formats and the file system belong to planner/io.
MODEL_FORBIDDEN_IMPORTS = {"yaml", "pandas", "openpyxl", "csv", "json", "pickle", "pathlib", "shutil", "tempfile"}
# Calls that read or write files (builtin open, pathlib methods, solver libraries' file methods).
IO_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "open", "mkdir", "touch", "unlink",
              "rmdir", "iterdir", "glob", "rglob", "writeModel", "readModel", "writeSolution", "readSolution",
              "export_to_file", "ExportToFile"}
# Known exceptions: (file, function) -> the one file call allowed there. This list only shrinks.
MODEL_IO_ALLOWED = {
    # HiGHS writes the MPS file itself, to the temporary path that commands/staffing.py gets from the
    # guarded writer (planner.io.writer.atomic_path) and moves into place.
    ("models/lp.py", "write_mps"): "writeModel",
    # its os.open(os.devnull, ...) silences HiGHS's printf while it solves; no data is read or written.
    ("models/lp.py", "_silenced_stdout"): "open",
}


@dataclass
class Module:
    name: str            # dotted, e.g. planner.io.loader (a package's __init__ is the package name)
    path: str            # relative, e.g. planner/io/loader.py
    tree: ast.Module
    imports: list[tuple[str, int]] = field(default_factory=list)  # (internal module, line)


def module_name(path: str) -> tuple[str, bool]:
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def read_tree(root: Path = ROOT) -> dict[str, str]:
    """{relative path: source} of every checked file."""
    sources = {}
    for top in CHECKED:
        base = root / top
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for f in files:
            sources[f.relative_to(root).as_posix()] = f.read_text(encoding="utf-8")
    return sources


def parse(sources: dict[str, str]) -> dict[str, Module]:
    """Modules with their imports of other checked modules (absolute, relative, anywhere in the file)."""
    modules: dict[str, Module] = {}
    packages = set()
    for path, text in sources.items():
        name, is_package = module_name(path)
        modules[name] = Module(name, path, ast.parse(text, filename=path))
        if is_package:
            packages.add(name)
    for mod in modules.values():
        package = mod.name if mod.name in packages else mod.name.rpartition(".")[0]
        for node in ast.walk(mod.tree):
            for target in _imported(node, package, modules):
                hit = _known_prefix(target, modules)
                if hit is not None and hit != mod.name:
                    mod.imports.append((hit, getattr(node, "lineno", 0)))
    return modules


def _imported(node: ast.AST, package: str, modules: dict[str, Module]) -> list[str]:
    """The dotted names an import statement loads (relative ones made absolute)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = package.split(".") if package else []
        base = ".".join(parts[: len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
    # `from pkg import mod` loads pkg.mod when that is a module, else a name defined in pkg
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def _known_prefix(target: str, modules: dict[str, Module]) -> str | None:
    """The checked module an import of `target` loads (its longest known prefix)."""
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in modules:
            return ".".join(parts[:n])
    return None


def layer(name: str) -> str:
    if name == "cli":
        return "cli"
    top, _, rest = name.partition(".")
    if top == "planner" and rest:
        return "planner." + rest.split(".")[0]
    return top


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def back_arrow(source: str, target: str) -> str | None:
    """Why an import from `source` to `target` breaks the layering (None: allowed)."""
    src, dst = layer(source), layer(target)
    if src == "models" and dst != "models":
        return "models import nothing above them"
    if _under(source, "planner") and dst in ("commands", "app", "cli"):
        return "planner does not import commands, app or cli"
    if src == "commands" and dst in ("cli", "app"):
        return "commands do not import cli or app"
    if src == "app" and dst in ("cli", "commands"):
        return "app does not import cli or commands (it calls the planner as they do)"
    if src == "planner.io" and _under(target, "planner") and dst != "planner.io":
        return "planner/io imports no other planner package"
    if src == "planner.nrp" and _under(target, "planner") and dst not in ("planner.nrp", "planner.io"):
        return "planner/nrp imports only planner/io of the planner"
    return None


def back_arrows(modules: dict[str, Module]) -> list[str]:
    found = []
    for mod in modules.values():
        for target, line in mod.imports:
            why = back_arrow(mod.name, target)
            if why:
                found.append(f"{mod.path}:{line}: {mod.name} -> {target} ({why})")
    return found


def _ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts))}


def import_graph(modules: dict[str, Module]) -> dict[str, list[str]]:
    """Module -> the modules its imports run: each target, and the target's packages (their
    __init__ runs first) unless the importer is inside them already."""
    graph = {}
    for mod in modules.values():
        own = _ancestors(mod.name)
        runs = set()
        for target, _ in mod.imports:
            runs.add(target)
            runs |= {p for p in _ancestors(target) if p in modules and p not in own}
        graph[mod.name] = sorted(runs - {mod.name})
    return graph


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """One cycle (first module repeated at the end) per strongly connected group of modules."""
    graph = import_graph(modules)
    return sorted(_shortest_cycle(graph, group) for group in _strong_groups(graph) if len(group) > 1)


def _strong_groups(graph: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            cut = stack.index(v)
            groups.append(set(stack[cut:]))
            del stack[cut:]

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return groups


def _shortest_cycle(graph: dict[str, list[str]], group: set[str]) -> list[str]:
    """A shortest cycle through the group's first module (breadth-first, inside the group)."""
    start = min(group)
    parent = {start: start}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in graph[v]:
                if w == start:  # closed: walk the parents back
                    path = [v]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [*reversed(path), start]
                if w in group and w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def nodes_by_function(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Every node with the name of the innermost function around it ("" at module level)."""
    out: list[tuple[str, ast.AST]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            out.append((inner, child))
            visit(child, inner)

    visit(tree, "")
    return out


def model_io(modules: dict[str, Module], allowed: dict[tuple[str, str], str] | None = None) -> list[str]:
    """Imports of data-format or file-system modules, and file reads or writes, in models/."""
    allowed = MODEL_IO_ALLOWED if allowed is None else allowed
    found: list[tuple[str, int, str]] = []
    for mod in modules.values():
        if layer(mod.name) != "models":
            continue
        for function, node in nodes_by_function(mod.tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for n in names:
                    if n.split(".")[0] in MODEL_FORBIDDEN_IMPORTS:
                        found.append((mod.path, node.lineno, f"imports {n} (data formats and files: planner/io)"))
            elif isinstance(node, ast.Call):
                what = io_call(node)
                if what is not None and allowed.get((mod.path, function)) != what:
                    found.append((mod.path, node.lineno, f"calls {what}() (file I/O belongs in planner/io)"))
    return [f"{path}:{line}: {what}" for path, line, what in sorted(found)]


def io_call(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Name) and f.id == "open":
        return "open"
    if isinstance(f, ast.Attribute) and f.attr in IO_METHODS:
        return f.attr
    return None


# ------------------------------------------------------------------------------------------------
# the project


def test_every_layer_is_found():
    modules = parse(read_tree())
    layers = {layer(n) for n in modules}
    assert {"cli", "commands", "app", "planner.io", "planner.nrp", "planner.staffing", "models"} <= layers, layers
    assert sum(len(m.imports) for m in modules.values()) > 50  # the walk sees the imports at all


def test_no_back_arrows():
    assert back_arrows(parse(read_tree())) == []


def test_no_import_cycles():
    found = cycles(parse(read_tree()))
    assert found == [], "\n".join(" -> ".join(c) for c in found)


def test_models_read_and_write_no_files():
    assert model_io(parse(read_tree())) == []


def test_allowed_model_io_is_still_there():
    # an exception whose call is gone must leave the list (it only shrinks)
    seen = set()
    for mod in parse(read_tree()).values():
        if layer(mod.name) == "models":
            for function, node in nodes_by_function(mod.tree):
                if isinstance(node, ast.Call) and io_call(node):
                    seen.add((mod.path, function, io_call(node)))
    assert {(path, fn, what) for (path, fn), what in MODEL_IO_ALLOWED.items()} <= seen


# ------------------------------------------------------------------------------------------------
# the checker on made-up module sets that break each rule


def test_checker_finds_each_kind_of_back_arrow():
    modules = parse({
        "cli.py": "import commands.run\n",
        "commands/__init__.py": "",
        "commands/run.py": "from planner.staffing import solve\n",
        "commands/bad.py": "def f():\n    import cli\n",
        "planner/__init__.py": "",
        "planner/kinds.py": "from planner.io import loader\n",
        "planner/io/__init__.py": "",
        "planner/io/loader.py": "from ..staffing import solve\n",            # io -> another planner package
        "planner/io/writer.py": "from planner.io.loader import x\nimport models.m\n",  # allowed
        "planner/staffing/__init__.py": "",
        "planner/staffing/solve.py": "def f():\n    from commands.run import y\n",  # planner -> commands
        "planner/staffing/report.py": "from app.logic import z\n",                  # planner -> app
        "app/__init__.py": "",
        "app/logic.py": "from planner.staffing import solve\n",                     # allowed
        "app/main.py": "from app import logic\nfrom commands.run import y\nimport cli\n",
        "commands/start.py": "from app.logic import z\n",                           # commands -> app
        "planner/nrp/__init__.py": "",
        "planner/nrp/reader.py": "from planner.io import writer\nfrom planner import kinds\n",
        "models/__init__.py": "",
        "models/m.py": "if False:\n    import planner.io.loader\n",       # models -> planner
    })
    found = back_arrows(modules)
    assert found == [
        "commands/bad.py:2: commands.bad -> cli (commands do not import cli or app)",
        "planner/io/loader.py:1: planner.io.loader -> planner.staffing.solve (planner/io imports no other planner"
        + " package)",
        "planner/staffing/solve.py:2: planner.staffing.solve -> commands.run (planner does not import commands, app"
        + " or cli)",
        "planner/staffing/report.py:1: planner.staffing.report -> app.logic (planner does not import commands, app or"
        + " cli)",
        "app/main.py:2: app.main -> commands.run (app does not import cli or commands (it calls the planner as they"
        + " do))",
        "app/main.py:3: app.main -> cli (app does not import cli or commands (it calls the planner as they do))",
        "commands/start.py:1: commands.start -> app.logic (commands do not import cli or app)",
        "planner/nrp/reader.py:2: planner.nrp.reader -> planner.kinds (planner/nrp imports only planner/io of the"
        + " planner)",
        "models/m.py:2: models.m -> planner.io.loader (models import nothing above them)",
    ]


def test_checker_finds_a_cycle_through_a_function_level_import():
    modules = parse({
        "planner/__init__.py": "",
        "planner/a.py": "from planner import b\n",
        "planner/b.py": "import planner.c as c\n",
        "planner/c.py": "def later():\n    from . import a\n",
        "planner/d.py": "from planner import a\n",  # into the cycle, not part of it
        "models/__init__.py": "",
        "models/x.py": "from models.y import f\n",
        "models/y.py": "from .x import g\n",
    })
    assert cycles(modules) == [["models.x", "models.y", "models.x"],
                               ["planner.a", "planner.b", "planner.c", "planner.a"]]


def test_checker_finds_a_cycle_through_a_package_init():
    # x imports only planner.staffing.instance, but that runs planner/staffing/__init__.py first,
    # which imports solve, which imports x
    modules = parse({
        "planner/__init__.py": "",
        "planner/staffing/__init__.py": "from planner.staffing.solve import run\n",
        "planner/staffing/solve.py": "from planner.roster.x import y\n",
        "planner/staffing/instance.py": "",
        "planner/roster/__init__.py": "",
        "planner/roster/x.py": "from planner.staffing.instance import z\n",
    })
    assert cycles(modules) == [["planner.roster.x", "planner.staffing", "planner.staffing.solve", "planner.roster.x"]]
    # a sibling import inside the package is no cycle: the package's __init__ is already running
    del modules["planner.roster.x"]
    modules["planner.staffing.solve"].imports = [("planner.staffing.instance", 1)]
    assert cycles(modules) == []


def test_checker_finds_file_io_in_models():
    modules = parse({
        "models/__init__.py": "",
        "models/m.py": (
            "import yaml\n"
            "from pathlib import Path\n"
            "def load(p):\n"
            "    with open(p) as f:\n"
            "        return f.read()\n"
            "def save(p, text):\n"
            "    Path(p).write_text(text)\n"
            "def model(h, p):\n"
            "    import pandas as pd\n"
            "    h.writeModel(p)\n"
            "    return sum(x for x in range(3))\n"
        ),
    })
    assert model_io(modules, allowed={}) == [
        "models/m.py:1: imports yaml (data formats and files: planner/io)",
        "models/m.py:2: imports pathlib (data formats and files: planner/io)",
        "models/m.py:4: calls open() (file I/O belongs in planner/io)",
        "models/m.py:7: calls write_text() (file I/O belongs in planner/io)",
        "models/m.py:9: imports pandas (data formats and files: planner/io)",
        "models/m.py:10: calls writeModel() (file I/O belongs in planner/io)",
    ]
    # an exception covers its own function only
    assert model_io(modules, allowed={("models/m.py", "model"): "writeModel"})[-1].startswith("models/m.py:9:")
