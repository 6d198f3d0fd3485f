"""Hostile or broken day files: each is one DataError naming the file and the key or line.

Every case edits a real fixture day file and loads it the way validate, the pipeline and the
site do (``DayStore.load_path``); the last tests run ``arxiv-digest validate`` and a real
``mkdocs build`` on such a file.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import DataError
from generator.store import DayStore

FIXTURE = Path(__file__).parent / "fixtures" / "site_basic"
DAY = "2025-10-03.yaml"  # a published day with two papers and LLM-free usage
HUGE = "9" * 5000


def _site(root: Path) -> Path:
    for name in ("digest.yaml", "prompt.yaml", "mkdocs.yml"):
        shutil.copy(FIXTURE / name, root / name)
    shutil.copytree(FIXTURE / "data", root / "data")
    shutil.copytree(FIXTURE / "docs", root / "docs")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


TITLE = "title: Sparse Mixture-of-Experts Routing at Scale"
# (old text, new text, expected message after "<file>: ")
CASES = {
    "impossible-date": (
        "date: '2025-10-03'",
        "date: 2025-02-30",
        r"line 2, column 7: cannot read '2025-02-30': day is out of range for month",
    ),
    "python-tag": (
        "source: rss",
        "source: !!python/object/apply:os.system ['true']",
        r"line \d+, column 9: could not determine a constructor for the tag "
        r"'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    "unknown-tag": (
        "source: rss",
        "source: !foo rss",
        r"line \d+, column 9: could not determine a constructor for the tag '!foo'",
    ),
    "int-past-python-digit-limit": (
        "total: 612",
        f"total: {HUGE}",
        r"line 11, column 10: cannot read '9+…': an integer of 5,000 digits is far too large",
    ),
    "count-above-maximum": (
        "total: 612",
        "total: 10000001",
        r"counts.total \(line 11\): Input should be less than or equal to 10000000",
    ),
    "tokens-above-maximum": (
        "prompt_tokens: 0",
        "prompt_tokens: 10000000000000",
        r"scoring.usage.prompt_tokens \(line \d+\): "
        r"Input should be less than or equal to 1000000000000",
    ),
    "infinite-cost": (
        "prompt_cost: 0.0",
        "prompt_cost: .inf",
        r"scoring.usage.prompt_cost \(line \d+\): Input should be a finite number",
    ),
    "version-above-maximum": (
        "version: 2",
        "version: 1001",
        r"papers\[1\].version \(line \d+\): Input should be less than or equal to 1000",
    ),
    "duplicate-top-level-key": (
        "status: published",
        "status: published\nstatus: failed",
        r"line 4, column 1: duplicate key 'status' \(first given on line 3\)",
    ),
    "duplicate-key-in-a-paper": (
        "  relevance: 9\n",
        "  relevance: 9\n  relevance: 3\n",
        r"line \d+, column 3: duplicate key 'relevance' \(first given on line \d+\)",
    ),
    "nul-in-title": (
        TITLE,
        'title: "Sparse\\0 Routing"',
        r"papers\[0\].title \(line 36\): contains the control character U\+0000 at offset 6",
    ),
    "escape-in-title": (
        TITLE,
        'title: "\\e[31mred"',
        r"papers\[0\].title \(line 36\): contains the control character U\+001B at offset 0",
    ),
    "c1-control-in-comment": (
        "comment: 'Mixture of Experts: routing and load balancing.'",
        'comment: "routing\\x85"',
        r"papers\[0\].comment \(line \d+\): contains the control character U\+0085",
    ),
    "title-too-long": (
        TITLE,
        "title: " + "x" * 1001,
        r"papers\[0\].title \(line 36\): is 1,001 characters long \(at most 1,000\)",
    ),
    "author-too-long": (
        "  - Ada Lovelace",
        "  - " + "A" * 301,
        r"papers\[0\].authors\[0\] \(line \d+\): is 301 characters long \(at most 300\)",
    ),
    "empty-tag": (
        "  - Mixture of Experts\n  kept_because",
        "  - ' '\n  kept_because",
        r"papers\[0\].tags\[0\] \(line \d+\): must not be empty",
    ),
    "control-character-in-category": (
        "categories:\n- cs.LG",
        'categories:\n- "cs.LG\\t\\x07"',
        r"categories\[0\] \(line \d+\): contains the control character U\+0007",
    ),
}


@pytest.mark.parametrize(("old", "new", "expected"), CASES.values(), ids=CASES.keys())
def test_each_attack_is_one_data_error_naming_file_and_place(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    root = _site(tmp_path)
    path = root / "data" / "2025" / DAY
    _edit(path, old, new)
    with pytest.raises(DataError) as info:
        DayStore(root / "data").load_path(path)
    error = info.value
    assert error.path == str(path)
    assert len(error.lines()) == 1
    line = error.lines()[0]
    assert line.startswith(f"{path}: ")
    assert "\n" not in line and len(line) < 400
    assert re.fullmatch(re.escape(f"{path}: ") + expected + r".*", line), line


@pytest.mark.parametrize("case", ["impossible-date", "int-past-python-digit-limit", "nul-in-title"])
def test_validate_prints_one_line_per_attack_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    root = _site(tmp_path)
    old, new, _ = CASES[case]
    _edit(root / "data" / "2025" / DAY, old, new)
    monkeypatch.chdir(root)
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: ") and DAY in errors[0]
    assert "1 problem(s)" in captured.out


def test_a_5000_digit_count_fails_the_site_build_cleanly(tmp_path: Path) -> None:
    # The attack that made `mkdocs build` crash with "Exceeds the limit (4300 digits)".
    root = _site(tmp_path)
    _edit(root / "data" / "2025" / DAY, "total: 612", f"total: {HUGE}")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("DIGEST_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
        env=env,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"{DAY}: line 11, column 10: cannot read" in result.stderr
    assert not (root / "site" / "index.html").exists()


def test_a_prompt_file_not_named_by_its_hash_is_reported_and_never_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _site(tmp_path)
    prompts = root / "data" / "prompts"
    (prompts / "<img src=x onerror=alert(1)>.md").write_text("hostile\n")
    (prompts / "0123456789AB.md").write_text("upper-case hex is not a hash we write\n")
    store = DayStore(root / "data")
    assert list(store.prompt_hashes()) == ["f13fd0ed3b1edb5d"]
    monkeypatch.chdir(root)
    assert main(["validate"]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2
    assert any("<img src=x onerror=alert(1)>.md: not a prompt file" in e for e in errors)
    with pytest.raises(DataError, match="is not a prompt hash"):
        store.load_prompt("../../etc/passwd")


def test_data_errors_survive_pickling_with_their_details(tmp_path: Path) -> None:
    # The site parses days in worker processes and sends errors back pickled.
    root = _site(tmp_path)
    path = root / "data" / "2025" / DAY
    _edit(path, "total: 612", "total: -1")
    _edit(path, "source: rss", "sauce: rss")
    with pytest.raises(DataError) as info:
        DayStore(root / "data").load_path(path)
    again = pickle.loads(pickle.dumps(info.value))
    assert (again.path, again.key) == (str(path), "counts.total")
    assert again.lines() == info.value.lines() and len(again.lines()) == 2
    assert str(again) == str(info.value)


def test_yaml_aliases_are_refused_without_expanding_them(tmp_path: Path) -> None:
    """A few lines of nested aliases would expand into billions of values."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    folder = tmp_path / "data" / "2025"
    folder.mkdir(parents=True)
    path = folder / "2025-10-03.yaml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(
        DataError, match=r"line \d+.*aliases \(\*name\) are not allowed in this file"
    ):
        DayStore(tmp_path / "data").load_path(path)
