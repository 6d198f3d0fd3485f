"""The GitHub Actions workflows: actionlint (with ShellCheck) on every file, plus the rules
actionlint does not know: least privilege, no racing runs, timeouts, the schedule, current
action majors, secrets only through ``env:``, and CLI invocations the real parser accepts."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.y*ml"))

# The current major of each action we use (checked against actionlint's action metadata, which
# reports retired runtimes and unknown inputs). Older majors get blocked by GitHub in time.
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/cache/restore": 6,
    "actions/cache/save": 6,
    "actions/cache": 6,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}

# Which job may hold which write scope; everything else is read or none.
ALLOWED_WRITES = {
    ("daily.yml", "update"): {"contents"},
    ("daily.yml", "deploy"): {"pages", "id-token"},
    ("backfill.yml", "update"): {"contents"},
    ("backfill.yml", "deploy"): {"pages", "id-token"},
    ("keepalive.yml", "keepalive"): {"actions"},
}


def _tool(name: str) -> str:
    """A binary installed by the test extras (next to this Python), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} not found: install the test extras (pip install -e '.[test]')")
    return found


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _actionlint(*paths: Path, cwd: Path = ROOT) -> list[dict[str, Any]]:
    result = subprocess.run(
        [
            _tool("actionlint"),
            "-shellcheck",
            _tool("shellcheck"),
            "-format",
            "{{json .}}",
            *map(str, paths),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), f"actionlint failed to run: {result.stderr}"
    findings = json.loads(result.stdout or "[]")
    return findings


def test_expected_workflows_exist() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {"daily.yml", "backfill.yml", "keepalive.yml", "ci.yml"} <= names


def test_actionlint_finds_nothing() -> None:
    findings = _actionlint(*WORKFLOW_FILES)
    report = "\n".join(
        f"{Path(f['filepath']).name}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in findings
    )
    assert not findings, f"actionlint findings:\n{report}"


def test_actionlint_catches_what_we_rely_on_it_for(tmp_path: Path) -> None:
    """The check above can fail: a workflow with an injected expression, an unknown input,
    a retired action and an unquoted variable is reported on each count."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v3\n"
        "      - uses: actions/upload-pages-artifact@v5\n"
        "        with: {pth: site}\n"
        "      - run: echo $HOME ${{ github.event.head_commit.message }}\n",
        encoding="utf-8",
    )
    kinds = [f["kind"] for f in _actionlint(bad, cwd=tmp_path)]
    assert kinds.count("action") >= 2  # retired checkout@v3, unknown input `pth`
    assert "expression" in kinds  # untrusted input pasted into a script
    assert "shellcheck" in kinds  # SC2086 on $HOME


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_least_privilege_concurrency_timeouts(path: Path) -> None:
    workflow = _load(path)
    top = workflow.get("permissions")
    assert top is not None, f"{path.name}: set top-level permissions (e.g. {{}})"
    assert top == {} or set(top.values()) <= {"read", "none"}, f"{path.name}: top-level writes"
    assert "concurrency" in workflow, f"{path.name}: no concurrency group"
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name}/{name}: no timeout"
        perms = job.get("permissions", {})
        writes = {scope for scope, level in perms.items() if level == "write"}
        allowed = ALLOWED_WRITES.get((path.name, name), set())
        assert writes <= allowed, f"{path.name}/{name}: writes {writes - allowed} not needed"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actions_pinned_to_current_major(path: Path) -> None:
    for step in _steps(_load(path)):
        uses = step.get("uses")
        if not uses:
            continue
        action, _, ref = uses.partition("@")
        assert re.fullmatch(r"v\d+", ref), f"{path.name}: {uses} is not pinned to a major tag"
        assert action in CURRENT_MAJORS, f"{path.name}: {action} is not a reviewed action"
        assert int(ref[1:]) == CURRENT_MAJORS[action], f"{path.name}: {uses} is not current"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_secrets_and_inputs_only_through_env(path: Path) -> None:
    for step in _steps(_load(path)):
        script = step.get("run", "")
        assert "${{" not in script, f"{path.name}: expression pasted into a script: {script!r}"
        for key, value in (step.get("with") or {}).items():
            assert "secrets." not in str(value), f"{path.name}: secret passed as input {key}"
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if "secrets." in line:
            assert re.match(r"\s+[A-Z0-9_]+: \$\{\{ secrets\.[A-Z0-9_]+ \}\}$", line), line


def test_daily_schedule_after_announcement_on_weekdays() -> None:
    daily = _load(WORKFLOWS / "daily.yml")
    (cron,) = [entry["cron"] for entry in daily["on"]["schedule"]]
    minute, hour, dom, month, dow = cron.split()
    # 20:00 US Eastern is 00:00 UTC (EDT) or 01:00 UTC (EST): start after both, same night.
    assert 1 < int(hour) < 6 and dom == "*" and month == "*"
    assert dow == "1-5", "arXiv announces Sunday-Thursday evenings ET, Monday-Friday in UTC"
    date_input = daily["on"]["workflow_dispatch"]["inputs"]["date"]
    assert date_input["required"] is False


def test_daily_and_backfill_commit_build_and_deploy() -> None:
    for name in ("daily.yml", "backfill.yml"):
        workflow = _load(WORKFLOWS / name)
        assert workflow["concurrency"]["cancel-in-progress"] is False  # queue, never drop
        update, deploy = workflow["jobs"]["update"], workflow["jobs"]["deploy"]
        uses = [s.get("uses", "").split("@")[0] for s in update["steps"]]
        assert uses.index("actions/cache/restore") < uses.index("actions/cache/save")
        save = update["steps"][uses.index("actions/cache/save")]
        assert save["if"] == "always()" and "run_id" in save["with"]["key"]
        assert "actions/upload-pages-artifact" in uses and "actions/configure-pages" in uses
        scripts = "\n".join(s.get("run", "") for s in update["steps"])
        assert "github-actions[bot]" in scripts and "git add data/" in scripts
        assert "git diff --cached --quiet" in scripts  # no empty commit
        assert "mkdocs build --strict" in scripts
        assert deploy["needs"] == "update" and deploy["environment"]["name"] == "github-pages"
        assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    backfill_inputs = _load(WORKFLOWS / "backfill.yml")["on"]["workflow_dispatch"]["inputs"]
    assert {"from", "to", "force"} <= set(backfill_inputs)


def test_keepalive_reenables_the_daily_schedule() -> None:
    keepalive = _load(WORKFLOWS / "keepalive.yml")
    assert keepalive["on"]["schedule"], "keep-alive must itself run on a schedule"
    script = "\n".join(s.get("run", "") for s in _steps(keepalive))
    assert "actions/workflows/${workflow}/enable" in script and "daily.yml" in script


def test_ci_runs_the_ci_entry_point_command() -> None:
    ci = _load(WORKFLOWS / "ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    scripts = [s.get("run", "") for s in _steps(ci)]
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci_run
    assert any(script.startswith("make test") for script in scripts)


def _cli_invocations() -> list[tuple[str, list[str]]]:
    found = []
    for path in WORKFLOW_FILES:
        for step in _steps(_load(path)):
            for line in step.get("run", "").splitlines():
                if line.strip().startswith("arxiv-digest "):
                    tokens = shlex.split(line.strip())[1:]
                    found.append(
                        (path.name, ["2025-10-07" if t.startswith("$") else t for t in tokens])
                    )
    return found


@pytest.mark.parametrize(
    "where,argv", _cli_invocations(), ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_workflow_commands_parse_with_the_real_cli(where: str, argv: list[str]) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    command = sub.choices[argv[0]]  # type: ignore[index]
    if "not implemented" in (command.description or "").lower():
        pytest.skip(f"`arxiv-digest {argv[0]}` is still a placeholder")
    try:
        parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on unknown options
        pytest.fail(f"{where}: `arxiv-digest {' '.join(argv)}` is rejected by the CLI ({exc})")
