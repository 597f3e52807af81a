"""The layout is the architecture, checked: no import cycles (imports inside functions included), each layer
imports only the layers below it, and every module imports on its own in a fresh interpreter.

    flowmock_receiver:  core  <-  service  <-  web, serving  <-  commands      (workflow: beside core, later)

The graph is read from the source with `ast`, so an import hidden in a function or under TYPE_CHECKING counts.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = {
    "flowmock_receiver": ROOT / "receiver",
    "flowmock_sender": ROOT / "sender",
    "flowmock_schemas": ROOT / "schemas",
}
MAX_MODULE_LINES = 400  # "a few hundred lines at most" (docs/style.md); the receiver is held to it

R = "flowmock_receiver"
ABOVE_CORE = (
    "service",
    "flow_import",
    "flow_runner",
    "web",
    "serving",
    "commands",
    "workflow",
    "plugin",
    "testing",
    "client",
)
# (importer prefix, forbidden prefixes, allowed exceptions)
LAYER_RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        f"{R}.core",
        ("flask", "werkzeug", "flowmock_sender", *(f"{R}.{m}" for m in ABOVE_CORE)),
        # Parsing helpers only, so headers and queries parse as `request.headers` and `request.args` parse them.
        ("werkzeug.http", "werkzeug.urls"),
    ),
    (
        f"{R}.workflow",
        ("flask", "werkzeug", f"{R}.service", f"{R}.web", f"{R}.serving", f"{R}.commands", "flowmock_sender"),
        (),
    ),
    *(
        # The service and the modules it is split into (importing and running imported flows): core and workflow.
        (f"{R}.{m}", ("flask", "werkzeug", f"{R}.web", f"{R}.serving", f"{R}.commands", "flowmock_sender"), ())
        for m in ("service", "flow_import", "flow_runner")
    ),
    (f"{R}.web", (f"{R}.serving", f"{R}.commands", "flowmock_sender"), ()),
    (f"{R}.serving", (f"{R}.commands", "flowmock_sender"), ()),
    (R, ("flowmock_sender",), ()),
    ("flowmock_sender", (R,), ()),
    ("flowmock_schemas", (R, "flowmock_sender"), ()),
]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def discover(roots: dict[str, Path]) -> dict[str, Path]:
    """Module name -> file, for every module of the given packages (a package is its __init__.py)."""
    modules: dict[str, Path] = {}
    for package, root in roots.items():
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(name: str, source: str, known: Iterable[str], *, is_package: bool = False) -> set[str]:
    """Every module `name` imports anywhere in its source; ours resolved to the module (or package) imported."""
    known = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = name.split(".") if is_package else name.split(".")[:-1]
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


def graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), modules, is_package=path.name == "__init__.py")
        for name, path in modules.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    problems = []
    for importer, targets in sorted(edges.items()):
        for prefix, forbidden, allowed in LAYER_RULES:
            if not _under(importer, prefix):
                continue
            for target in sorted(targets):
                if any(_under(target, f) for f in forbidden) and not any(_under(target, a) for a in allowed):
                    problems.append(f"{importer} imports {target}")
    return problems


MODULES = discover(SOURCE_ROOTS)
EDGES = graph(MODULES)


def test_the_packages_have_no_import_cycles_even_through_imports_inside_functions() -> None:
    assert cycles(EDGES) == []


def test_each_layer_imports_only_the_layers_below_it() -> None:
    assert layer_violations(EDGES) == []


def test_receiver_modules_stay_a_few_hundred_lines_long() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items() if _under(name, R)}
    long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert long == {}


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    """Each module imported first, with none of ours loaded before it: an import that works only when another
    module happened to be imported earlier fails here. One interpreter, our modules forgotten between imports
    (third-party ones stay loaded: they are not what is checked, and reloading Flask 60 times is slow)."""
    script = (
        "import importlib, sys, traceback\n"
        f"names = {sorted(MODULES)!r}\n"
        "failed = []\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] in {'flowmock_receiver', 'flowmock_sender', "
        "'flowmock_schemas'}]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        failed.append(name + ': ' + traceback.format_exc(limit=3))\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )  # ~10 s of CPU; far more on a loaded machine
    assert done.returncode == 0, done.stdout + done.stderr


# The checker itself must be able to fail --------------------------------------------------------------------------
def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for relative, text in files.items():
        target = tmp_path / "pkg" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return graph(discover({"pkg": tmp_path}))


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    edges = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import thing\n",
            "b.py": "def thing():\n    from . import a\n    return a\n",
        },
    )
    assert cycles(edges) == [["pkg.a", "pkg.b"]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("import flask\n", ["flowmock_receiver.core.x imports flask"], id="flask"),
        pytest.param(
            "from werkzeug.wrappers import Request\n",
            ["flowmock_receiver.core.x imports werkzeug.wrappers"],
            id="werkzeug",
        ),
        pytest.param("from werkzeug.http import parse_options_header\n", [], id="werkzeug-http-allowed"),
        pytest.param(
            "def f():\n    from ..service import Receiver\n",
            ["flowmock_receiver.core.x imports flowmock_receiver.service"],
            id="service-inside-a-function",
        ),
    ],
)
def test_the_core_may_not_import_the_layers_above_it(source: str, expected: list[str]) -> None:
    edges = {"flowmock_receiver.core.x": imports_of("flowmock_receiver.core.x", source, MODULES)}
    assert layer_violations(edges) == expected
