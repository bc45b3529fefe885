"""The runtime is lean and reproducible: what production installs (requirements.txt) holds no test or lint tool,
every distribution of both compiled requirement files is pinned with hashes and nothing of this machine, the code
that production runs imports no test-only package, and every vendored front-end file is listed in
static/vendor/VERSIONS with its sha256."""

import ast
import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"

# Test and lint tools: in requirements-dev.txt only. (Faker is runtime: `manage.py seed_demo` uses it.)
TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "pytest-playwright",
    "playwright",
    "hypothesis",
    "time-machine",
    "factory-boy",
    "pypdf",
    "zxing-cpp",
    "ruff",
    "pip-tools",
    "import-linter",
}
# The import names of the packages above that a module could import.
TEST_MODULES = {"pytest", "pytest_django", "xdist", "playwright", "hypothesis", "time_machine", "factory", "pypdf"}
TEST_MODULES |= {"zxingcpp", "ruff", "piptools", "importlinter"}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of a file compiled by pip-compile --generate-hashes."""
    text = path.read_text(encoding="utf-8")
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = block.split()[0] if block.strip() and not block.startswith("#") else ""
        if "==" not in head:
            continue
        name, version = head.split("==")
        pins[_normalize(name)] = (version, re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return pins


def _names_in(path: Path) -> set[str]:
    """The requirement names of a .in file (extras dropped)."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(_normalize(re.split(r"[\[<>=!~; ]", line)[0]))
    return names


RUNTIME = _pins(ROOT / "requirements.txt")
DEV = _pins(ROOT / "requirements-dev.txt")


def test_production_requirements_hold_no_test_or_lint_tool():
    assert RUNTIME, "requirements.txt lists nothing"
    assert not TEST_TOOLS & set(RUNTIME), sorted(TEST_TOOLS & set(RUNTIME))
    assert not TEST_TOOLS & _names_in(ROOT / "requirements.in")
    # Nothing reads Celery task results; their django-db backend is gone (docs/deploy.md, upgrade notes).
    assert "django-celery-results" not in RUNTIME and "django-celery-results" not in DEV


def test_the_test_tools_are_in_the_development_requirements():
    assert set(DEV) >= TEST_TOOLS, sorted(TEST_TOOLS - set(DEV))
    assert _names_in(ROOT / "requirements-dev.in") >= TEST_TOOLS


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_distribution_is_pinned_with_hashes_and_nothing_of_this_machine(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    for needle in ("file:/", "/opt/", "/tmp/", "/work/", "/root/", "--index-url", "--extra-index-url", "--find-links"):
        assert needle not in text, f"{name} holds {needle!r}"
    requirement_lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert requirement_lines and all(re.fullmatch(r"[A-Za-z0-9._-]+==\S+ \\", line) for line in requirement_lines), [
        line for line in requirement_lines if not re.fullmatch(r"[A-Za-z0-9._-]+==\S+ \\", line)
    ]
    pins = _pins(ROOT / name)
    assert len(pins) == len(requirement_lines)
    assert all(hashes for _, hashes in pins.values()), [n for n, (_, hashes) in pins.items() if not hashes]


def test_the_compiled_files_follow_their_sources_and_agree():
    assert _names_in(ROOT / "requirements.in") <= set(RUNTIME)
    assert _names_in(ROOT / "requirements-dev.in") <= set(DEV)
    assert "-c requirements.txt" in (ROOT / "requirements-dev.in").read_text(encoding="utf-8").splitlines()
    shared = set(RUNTIME) & set(DEV)
    assert {n: (RUNTIME[n], DEV[n]) for n in shared if RUNTIME[n] != DEV[n]} == {}


def _imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_code_production_runs_imports_no_test_tool():
    skip = {"tests", ".venv", "node_modules", "static", "media", "staticfiles"}
    offenders = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in skip or relative.parts[0].startswith("."):
            continue
        found = _imported_top_modules(path) & TEST_MODULES
        if found:
            offenders[str(relative)] = sorted(found)
    assert offenders == {}


# --- static/vendor/VERSIONS ---------------------------------------------------------------------------------


def _versions() -> dict[str, dict[str, str]]:
    lines = [line for line in (VENDOR / "VERSIONS").read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    header, body = rows[0], rows[1:]
    assert header == ["file", "version", "source", "licence", "sha256"]
    assert all(len(row) == len(header) for row in body), [row for row in body if len(row) != len(header)]
    listed = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert len(listed) == len(body), "a file is listed twice"
    return listed


def test_every_vendored_file_is_listed_with_its_sha256():
    listed = _versions()
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file() and p.name != "VERSIONS"}
    assert sorted(present - set(listed)) == [], "vendored files missing from static/vendor/VERSIONS"
    assert sorted(set(listed) - present) == [], "static/vendor/VERSIONS lists files that are not there"
    wrong = {
        name: row["sha256"]
        for name, row in listed.items()
        if hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() != row["sha256"]
    }
    assert wrong == {}, "these files changed without their line in static/vendor/VERSIONS"


def test_every_vendored_file_says_its_version_source_and_licence():
    for name, row in _versions().items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", row["version"]), (name, row["version"])
        assert row["source"].startswith("npm:") and row["licence"], (name, row)
        if name.endswith((".js", ".css")):
            # The version is the one the file itself announces (header comment or version string).
            assert row["version"] in (VENDOR / name).read_text(encoding="utf-8"), name
