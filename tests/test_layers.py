"""The shape of the code: the case core at the bottom, concerns around it, no circles.

Walks every import of every module of our apps (module level and inside functions alike, so a
late import that dodges a cycle counts like any other) and fails on an arrow that points up.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lower layers never import higher ones; apps in one layer never import each other's siblings
# unless listed in ALLOWED_SIDEWAYS.
LAYERS = [
    {"accounts"},
    {"cases"},  # the core: cases, their workflow, services, events and the outbox loop
    {"sla", "integrations", "inbound"},
    {"conversations"},  # two-way SMS, social and review monitors: below messaging, which asks it
    {"messaging"},
    {"remedies", "insights"},
    {"knowledge"},  # articles, search and assisted triage read every concern below
    {"portal"},  # the customer's side: status page and call-backs
    {"desk"},  # the frontline desk: macros and the customer page use every concern below
]
APPS = set().union(*LAYERS)
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """Top-level package names a module imports, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = path.relative_to(root).parts[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found


def _recovery_modules_import_apps() -> dict[str, set[str]]:
    """recovery/ is the project: its settings, urls and API router see every app. What the apps
    themselves may use of it (process plumbing, logging) must import no app."""
    return {path.stem: _imports(path) & APPS for path in (ROOT / "recovery").glob("*.py")}


def app_graph() -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> the files that import it."""
    plumbing = _recovery_modules_import_apps()
    graph: dict[str, dict[str, list[str]]] = {app: defaultdict(list) for app in APPS}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # a migration names the models it depends on: that is its job
            text = path.read_text()
            for imported in _imports(path):
                if imported in APPS and imported != app:
                    graph[app][imported].append(str(path.relative_to(ROOT)))
            if "recovery" in _imports(path):
                for module, apps in plumbing.items():
                    if f"recovery.{module}" in text or f"from recovery import {module}" in text:
                        for other in apps - {app}:
                            graph[app][other].append(f"{path.relative_to(ROOT)} via recovery.{module}")
    return graph


def test_the_case_core_imports_no_other_app_but_accounts():
    graph = app_graph()
    assert dict(graph["cases"]).keys() <= {"accounts"}, dict(graph["cases"])
    assert not graph["accounts"], dict(graph["accounts"])


def test_no_app_imports_a_layer_above_or_beside_its_own():
    upward = [
        f"{app} -> {other}: {files[0]}"
        for app, targets in app_graph().items()
        for other, files in targets.items()
        if RANK[other] >= RANK[app]
    ]
    assert upward == []


def test_the_apps_import_each_other_in_no_circle():
    graph = {app: set(targets) for app, targets in app_graph().items()}
    seen, stack, circles = set(), [], []

    def visit(app):
        if app in stack:
            circles.append(stack[stack.index(app) :] + [app])
            return
        if app in seen:
            return
        seen.add(app)
        stack.append(app)
        for other in sorted(graph[app]):
            visit(other)
        stack.pop()

    for app in sorted(graph):
        visit(app)
    assert circles == []


def test_the_walk_sees_a_late_import_inside_a_function_and_resolves_relative_ones(tmp_path):
    module = tmp_path / "cases" / "late.py"
    module.parent.mkdir()
    module.write_text(
        "from .models import Case\n\ndef f():\n    from sla.models import Clock\n    return Clock\n"
    )
    assert _imports(module, root=tmp_path) == {"cases", "sla"}
