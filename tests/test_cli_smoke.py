"""The installed command really works: one real process per call, nothing else here.

Every other CLI test calls ``generator.cli.main`` in-process; these check what only a real
process shows: the ``arxiv-digest`` console script and ``python -m generator`` start, print
to the right stream, and exit with the documented codes (0 ok, 1 a problem, 2 bad usage).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import COMMANDS

REPO = Path(__file__).resolve().parents[1]


def console_script() -> str:
    beside = Path(sys.executable).parent / "arxiv-digest"
    found = str(beside) if beside.is_file() else shutil.which("arxiv-digest")
    assert found, "the arxiv-digest console script is not installed (pip install -e '.[test]')"
    return found


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "OPENAI_"))}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_module_help_lists_every_command(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "generator", "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: arxiv-digest")
    for module in COMMANDS:
        name = module.__name__.rsplit(".", 1)[-1]
        assert f"\n    {name} " in result.stdout, name


def test_validate_on_an_empty_project(tmp_path: Path) -> None:
    missing = run([console_script(), "validate"], tmp_path)
    assert missing.returncode == 1
    assert "prompt file 'prompt.yaml' not found" in missing.stderr
    assert "Traceback" not in missing.stderr and "1 problem(s)" in missing.stdout

    shutil.copy(REPO / "prompt.yaml", tmp_path / "prompt.yaml")
    clean = run([console_script(), "validate"], tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "checked config and 0 day file(s)" in clean.stdout and clean.stderr == ""


@pytest.mark.parametrize("args", [["bogus"], ["run", "--no-such-option"]])
def test_bad_usage_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = run([console_script(), *args], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: arxiv-digest") and result.stdout == ""
