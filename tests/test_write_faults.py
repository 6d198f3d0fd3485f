"""Writing day files when the environment fails: a killed run, a read-only folder, a full disk.

Real faults, not patched ones where the machine allows: a child process killed with SIGKILL
in the middle of a write, a read-only bind mount and a 64 KB tmpfs (both need root; the
tests skip with the reason elsewhere). In every case the previous day file is unchanged,
``validate`` still passes, and nothing a run leaves behind can be committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.arxiv import FakeArxiv, Reply, rss_document, rss_item
from support.synthetic import no_announcement, synthetic_day

from generator import yamlio
from generator.cli import main
from generator.errors import DataError
from generator.store import DayStore

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "site_basic"
DATE = dt.date(2025, 10, 7)


def _validate(data: Path) -> int:
    return main(["validate", "--data", str(data)])


@contextlib.contextmanager
def _mounted(target: Path, *options: str) -> Iterator[None]:
    """``mount options target`` for the block, unmounted afterwards; skips where not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    result = subprocess.run(
        ["mount", *options, str(target)], capture_output=True, text=True, timeout=30
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(target)], check=True, timeout=30)


def test_a_run_killed_mid_write_leaves_the_old_file_and_nothing_to_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    store = DayStore(data)
    path = store.save(synthetic_day(DATE, papers=2, scanned=4))
    before = path.read_bytes()
    # The child writes a different day file and blocks in fsync, after the temp file holds
    # the new text and before the rename: the worst moment to die.
    child = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(REPO / "tests")!r})
        from support.synthetic import synthetic_day
        from generator.store import DayStore
        import datetime as dt
        os.fsync = lambda fd: time.sleep(3600)
        DayStore({str(data)!r}).save(synthetic_day(dt.date(2025, 10, 7), papers=9, scanned=20))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not list(path.parent.glob(f".{path.name}.*.tmp")):
            assert process.poll() is None, "the child ended before writing"
            assert time.monotonic() < deadline, "the child never started writing"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    (temp,) = path.parent.glob(f".{path.name}.*.tmp")
    assert yamlio.is_temp_file(temp.name)
    assert path.read_bytes() == before

    assert _validate(data) == 0, capsys.readouterr().err
    assert ": ok" in capsys.readouterr().out

    # What the daily workflow would commit: the repository's .gitignore hides the temp file.
    checkout = tmp_path / "checkout"
    shutil.copytree(data, checkout / "data")
    shutil.copy(REPO / ".gitignore", checkout / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=checkout, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "data/2025/2025-10-07.yaml" in status
    assert ".tmp" not in status

    # The next write sweeps a temp file older than an hour, and keeps a fresh one.
    fresh = path.parent / f".{path.name}.abcd1234.tmp"
    fresh.write_text("another writer, still busy")
    stale_prompt = store.root / "prompts" / ".0123456789abcdef.md.zz9_00aa.tmp"
    stale_prompt.parent.mkdir()
    stale_prompt.write_text("a prompt write that was killed")
    old = time.time() - 2 * yamlio.STALE_TEMP_SECONDS
    for stale in (temp, stale_prompt):
        os.utime(stale, (old, old))
    store.save(synthetic_day(DATE, papers=3, scanned=5))
    assert not temp.exists() and not stale_prompt.exists() and fresh.exists()


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[str]:
    """``folder`` read-only for the block; yields the error the system then gives."""
    if os.geteuid() != 0:  # chmod stops writes for anyone but root
        folder.chmod(0o555)
        try:
            yield "Permission denied"
        finally:
            folder.chmod(0o755)
        return
    with _mounted(folder, "--bind", str(folder)):
        remount = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, timeout=30
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr.decode().strip()}")
        yield "Read-only file system"


def test_a_read_only_data_folder_is_one_data_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    store = DayStore(data)
    path = store.save(no_announcement(DATE))
    before = path.read_bytes()
    with _read_only(path.parent) as reason:
        with pytest.raises(DataError) as info:
            store.save(synthetic_day(DATE, papers=3, scanned=5))
        assert info.value.lines() == [f"{path}: cannot write: {reason}"]
        assert path.read_bytes() == before
        assert [p.name for p in path.parent.iterdir()] == [path.name]
        assert _validate(data) == 0
    capsys.readouterr()


def test_a_full_disk_is_one_data_error_and_leaves_no_temp_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    with _mounted(disk, "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        store = DayStore(disk / "data")
        path = store.save(no_announcement(DATE))
        before = path.read_bytes()
        big = synthetic_day(DATE, papers=70)  # ~200 KB of YAML: more than the disk holds
        with pytest.raises(DataError) as info:
            store.save(big)
        assert info.value.lines() == [f"{path}: cannot write: No space left on device"]
        assert path.read_bytes() == before
        assert [p.name for p in path.parent.iterdir()] == [path.name]
        assert _validate(disk / "data") == 0
    capsys.readouterr()


def test_run_into_a_read_only_data_folder_fails_with_one_line(tmp_path: Path) -> None:
    # The whole `arxiv-digest run` (feed from a loopback stand-in, local scorer): the write
    # fails, the run exits 1 with one error line and the data folder is as it was.
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("docs", "mkdocs.yml"))
    data = root / "data"
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    item = rss_item(
        "2510.09999",
        1,
        "Routing tokens in sparse mixtures",
        "We route tokens.",
        ["Ada Lovelace"],
        ["cs.LG"],
        "new",
        "Thu, 09 Oct 2025 00:00:00 -0400",
    )
    feed = rss_document(["cs.LG", "cs.AI"], dt.date(2025, 10, 9), [item])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DIGEST_"))}
    with _read_only(data) as reason, FakeArxiv() as arxiv:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, feed))
        result = subprocess.run(
            [sys.executable, "-m", "generator", "run"],
            cwd=root,
            env={**env, "DIGEST_ARXIV_RSS_URL": arxiv.url},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and f"cannot write: {reason}" in errors[0], result.stderr
    assert str(data) in errors[0]
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
