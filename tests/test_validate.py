"""`arxiv-digest validate`: every problem in config and day files, reported at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("digest.yaml", "prompt.yaml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    shutil.copytree(FIXTURE / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_clean_site_validates(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr()
    assert "checked config and 4 day file(s)" in out.out and ": ok" in out.out
    assert out.err == ""


def test_two_broken_files_are_both_reported(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(site / "data/2025/2025-10-03.yaml", "status: published", "status: publishd")
    _edit(site / "data/2025/2025-10-06.yaml", "novelty: 9", "novelty: high")
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert "2025-10-03.yaml: status (line 3): Input should be 'published'" in err
    assert "2025-10-06.yaml: papers[0].novelty (line" in err
    assert "valid integer" in err


def test_several_problems_in_one_file_are_each_reported(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(site / "data/2025/2025-10-03.yaml", "total: 612", "total: many")
    _edit(site / "data/2025/2025-10-03.yaml", "source: rss", "sauce: rss")
    assert main(["validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any("counts.total" in line for line in err)
    assert any("sauce" in line and "unknown key" in line for line in err)


def test_config_problem_and_day_problem_together(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "digest.yaml").write_text("data_dir: data\nscoring:\n  relevance_min: 0\n")
    _edit(site / "data/2025/2025-10-04.yaml", "status: no_announcement", "status: holiday")
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    assert "digest.yaml: scoring.relevance_min" in captured.err
    assert "2025-10-04.yaml: status" in captured.err
    assert "2 problem(s)" in captured.out


def test_console_script_runs_and_exits_non_zero(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process; tests/test_cli_smoke.py runs the installed console script itself.
    _edit(site / "data/2025/2025-10-07.yaml", "status: failed", "status: exploded")
    returncode = main(["validate", "--data", str(site / "data")])
    stderr = capsys.readouterr().err
    assert returncode == 1
    assert "2025-10-07.yaml: status" in stderr
    assert "Traceback" not in stderr


def test_every_command_has_help() -> None:
    from generator.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    summaries = {action.dest: action.help for action in sub._choices_actions}  # type: ignore[attr-defined]
    assert "validate" in sub.choices  # type: ignore[operator]
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert command.description and len(command.description) > 40, name
        assert summaries.get(name), f"{name}: no one-line help in `arxiv-digest --help`"
