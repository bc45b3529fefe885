"""printing is low in the stack: it imports no project app, and the PDF modules of evaluations print with it
instead of importing disclosure."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = {"organizations", "commitments", "evaluations", "disclosure", "pledge_site", "demo", "bench"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_printing_imports_no_project_app():
    for path in (ROOT / "printing").rglob("*.py"):
        assert not imported(path) & PROJECT_APPS, path


def test_every_pdf_of_evaluations_prints_with_printing_not_disclosure():
    for name in ("bulletin_pdf.py", "slips.py", "stats_exports.py"):
        modules = imported(ROOT / "evaluations" / name)
        assert "printing" in modules and "disclosure" not in modules, name
