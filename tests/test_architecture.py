"""The house rules, read from the code's own imports (docs/ARCHITECTURE.md, "What may import
what"). A rule broken here is a seam that drifted: fix the import, not the test.

Layers, bottom up: core (the kernel) → places, orgs → accounts → feature apps → portal → demo.
- core imports no yizhan app;
- nothing imports yizhan.demo (it sits on top and is run, never imported);
- places and orgs import no app above them (not even accounts);
- foundation apps import no feature app, and no app but the demo imports the portal;
- an app imports another app only through its public surface: permissions, services,
  selectors, events, subscribers (and `schema`, the shared API types). Never its models,
  views, forms, api or helpers.
Exempt: migrations, admin.py (Django's back office), and the demo seeders (`<app>/demo.py` and
the demo app), which write bulk rows for the demo city and benchmarks.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "yizhan"
KERNEL = "core"
FOUNDATION = {"places", "orgs", "accounts"}
BELOW_ACCOUNTS = {"places", "orgs"}
TOP = {"portal", "demo"}
PUBLIC = {"permissions", "services", "selectors", "events", "subscribers", "schema"}
WIRING = {"api.py", "urls.py", "settings.py", "wsgi.py", "cli.py", "__init__.py"}


def apps() -> set[str]:
    return {p.parent.name for p in SRC.glob("*/apps.py")}


def modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "migrations" in rel.parts:
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def imported(tree) -> list[tuple[int, str]]:
    """(line, dotted module) for every import, `from a.b import c` counted as a.b.c."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return [(line, name) for line, name in found if name.startswith("yizhan.")]


def exempt(rel: Path) -> bool:
    return rel.name in {"admin.py", "demo.py"} or rel.parts[0] == "demo"


def violations() -> list[str]:
    known = apps()
    found = []
    for rel, tree in modules():
        here = rel.parts[0] if len(rel.parts) > 1 else None
        for line, name in imported(tree):
            parts = name.split(".")
            there = parts[1]
            where = f"{rel}:{line} imports {name}"
            if there == "demo" and here != "demo":
                found.append(f"{where}: nothing imports the demo")
            if here is None or there not in known or there == here:
                continue
            if here == KERNEL:
                found.append(f"{where}: core is the kernel and imports no app")
                continue
            if there == "portal" and here != "demo":  # the demo sits above the portal
                found.append(f"{where}: no app imports the portal")
            if here in BELOW_ACCOUNTS and there == "accounts":
                found.append(f"{where}: {here} sits below accounts")
            if here in FOUNDATION and there not in FOUNDATION | {KERNEL}:
                found.append(f"{where}: a foundation app imports no feature app")
            if there == KERNEL or exempt(rel):
                continue
            module = parts[2] if len(parts) > 2 else ""
            if module not in PUBLIC:
                found.append(
                    f"{where}: import {there}'s public surface ({', '.join(sorted(PUBLIC))})"
                )
    return found


def test_the_import_rules_hold():
    broken = violations()
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("rel", "source", "rule"),
    [
        ("core/x.py", "from yizhan.cases import services", "kernel"),
        ("places/x.py", "from yizhan.accounts import permissions", "below accounts"),
        ("points/x.py", "from yizhan.cases.models import Case", "public surface"),
        ("points/x.py", "from yizhan.reports.views import detail_view", "public surface"),
        ("cases/x.py", "import yizhan.demo.generator", "demo"),
        ("cases/x.py", "from yizhan.portal import selectors", "portal"),
    ],
)
def test_the_rules_catch_what_they_forbid(rel, source, rule, tmp_path, monkeypatch):
    """The checker itself can fail: each forbidden import, planted in a copy, is reported."""
    tree = ast.parse(source)
    rel = Path(rel)
    monkeypatch.setattr(
        "tests.test_architecture.modules", lambda: iter([(rel, tree)]), raising=True
    )
    assert violations(), f"{source} in {rel} should break the {rule} rule"


def test_every_feature_app_has_the_public_surface():
    missing = []
    for app in sorted(apps() - FOUNDATION - TOP - {KERNEL}):
        for name in ("permissions", "services", "selectors", "events", "subscribers", "nav"):
            if not (SRC / app / f"{name}.py").exists():
                missing.append(f"{app}/{name}.py")
    assert not missing
