"""What production installs, what the tests and tools add, and a `make lint`
that cannot mistake an audit it never made for a clean one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = {"pytest", "playwright", "time-machine", "ruff", "pip-audit"}

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _names(path: Path) -> list[str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [re.split(r"[=<>~!\[ ]", line)[0].lower() for line in lines if line and line[0] != "-"]


def test_production_requirements_hold_no_test_or_tool_package():
    production = set(_names(ROOT / "requirements.txt"))
    assert not production & TOOLS
    assert {"flask", "gunicorn", "pypdf", "zxcvbn"} <= production  # pypdf: the print PDF


def test_development_requirements_add_the_tools_on_top_of_production():
    lines = (ROOT / "requirements-dev.txt").read_text().splitlines()
    first = next(line for line in lines if line.strip() and not line.startswith("#"))
    assert first.strip() == "-r requirements.txt"
    assert set(_names(ROOT / "requirements-dev.txt")) >= TOOLS


def test_make_run_installs_production_and_make_test_and_lint_the_tools():
    plan = {
        target: subprocess.run(  # the commands make would run, none run
            ["make", "-n", "-B", target, "BIN=/nowhere/bin", "VENV=/nowhere"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for target in ("venv-run", "test-sqlite", "lint")
    }
    assert "-r requirements.txt" in plan["venv-run"]
    assert "requirements-dev.txt" not in plan["venv-run"]
    assert "-r requirements-dev.txt" in plan["test-sqlite"]
    assert "-r requirements-dev.txt" in plan["lint"]


def _fake_bin(folder: Path, audit_output: str, audit_status: int) -> Path:
    folder.mkdir()
    for passing in ("ruff", "lint-imports", "mypy"):
        (folder / passing).write_text("#!/bin/sh\nexit 0\n")
    (folder / "pip-audit").write_text(
        f"#!/bin/sh\necho \"$@\" > {folder / 'arguments'}\ncat <<'END'\n{audit_output}\nEND\n"
        f"exit {audit_status}\n"
    )
    for tool in ("ruff", "lint-imports", "mypy", "pip-audit"):
        (folder / tool).chmod(0o755)
    return folder


def _lint(tmp_path: Path, audit_output: str, audit_status: int = 0):
    fake = _fake_bin(tmp_path / "bin", audit_output, audit_status)
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "venv", "lint", f"BIN={fake}", f"VENV={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    return result, (fake / "arguments").read_text()


def test_lint_passes_a_complete_clean_audit_of_both_files(tmp_path):
    result, arguments = _lint(tmp_path, "No known vulnerabilities found")
    assert result.returncode == 0, result.stderr
    assert "-r requirements.txt" in arguments and "-r requirements-dev.txt" in arguments
    assert "--strict" in arguments


def test_lint_fails_when_pip_audit_skips_packages(tmp_path):
    skipped = (
        "No known vulnerabilities found\n"
        "Name  Skip Reason\n"
        "flask Dependency not found on PyPI and could not be audited: flask (3.1.3)"
    )
    result, _ = _lint(tmp_path, skipped, audit_status=0)
    assert result.returncode != 0
    assert "could not audit every package" in result.stderr


def test_lint_fails_saying_so_when_the_audit_fails(tmp_path):
    result, _ = _lint(tmp_path, "ERROR: Could not connect to PyPI's vulnerability feed", 1)
    assert result.returncode != 0
    assert "vulnerability service it could not reach" in result.stderr
