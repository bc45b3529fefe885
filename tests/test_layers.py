"""The layers of DESIGN.md §8 hold: organizations ← commitments ← evaluations ← disclosure and reporting, with pledge_site,
demo and bench on top, and the printing module below them all. A wrong-way import fails here."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["printing", "organizations", "commitments", "evaluations", "disclosure", "reporting"]  # the last two: siblings
TOP = ["pledge_site", "demo", "bench"]


def test_the_import_linter_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _upward_names(app: str) -> list[str]:
    return ORDER[ORDER.index(app) + 1 :] + TOP


@pytest.mark.parametrize("app", ORDER)
def test_no_app_names_a_module_above_it_in_a_string(app):
    """import_string("commitments.resources.X") escapes the import linter; no app does it upwards either."""
    above = tuple(f"{name}." for name in _upward_names(app))
    found = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text.startswith(above) and " " not in text:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert not found, "\n".join(found)


def test_the_contract_fails_on_a_wrong_way_import(tmp_path):
    """The check is live: the same contract over a copy with one upward import is broken."""
    import shutil

    for name in ORDER + TOP:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                tmp_path / name,
                ignore=shutil.ignore_patterns("__pycache__", "results", "*.ttf", "*.otf", "*.ttc"),
            )
    target = tmp_path / "organizations" / "selectors.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nfrom evaluations import models as _upward  # noqa\n")
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "organizations.selectors -> evaluations.models" in result.stdout
