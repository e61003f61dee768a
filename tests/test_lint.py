"""ruff and mypy run as part of the suite, so CI fails on a lint or type error."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_is_clean() -> None:
    for args in (("ruff", "check", "src", "tests"), ("ruff", "format", "--check", "src", "tests")):
        result = _run(*args)
        assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
