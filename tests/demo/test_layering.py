"""The demo app is on top of the stack: it may import every app, and no domain app imports it (or the bench)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("organizations", "commitments", "evaluations", "disclosure", "printing", "pledge_site")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_domain_app_imports_demo_or_bench():
    for app in DOMAIN:
        for path in (ROOT / app).rglob("*.py"):
            assert not imported(path) & {"demo", "bench"}, path
