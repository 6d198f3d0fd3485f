"""One run at a time per data directory (generator/lock.py), with real processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support.arxiv import FakeArxiv, Reply, rss_document, rss_item
from support.llm import FakeLLM
from test_cli_run import KEY, cli_env, make_root

from generator.errors import RunLocked
from generator.lock import LOCK_NAME, run_lock
from generator.store import DayStore

DATE = dt.date(2025, 10, 7)
PAPERS = 40


def _hold(data_dir: str, ready: multiprocessing.synchronize.Event, seconds: float) -> None:
    with run_lock(data_dir):
        ready.set()
        time.sleep(seconds)


def start_holder(data_dir: Path, seconds: float) -> multiprocessing.process.BaseProcess:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    proc = context.Process(target=_hold, args=(str(data_dir), ready, seconds))
    proc.start()
    assert ready.wait(30), "the holder never took the lock"
    return proc


def test_a_second_holder_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = start_holder(data, seconds=60)
    try:
        started = time.monotonic()
        with pytest.raises(RunLocked) as info, run_lock(data, wait=0.5):
            pass
        assert 0.5 <= time.monotonic() - started < 5
        message = str(info.value)
        assert f"another arxiv-digest run (pid {holder.pid}, since " in message
        assert message.endswith(f"holds {data / LOCK_NAME}; try again when it finishes")
    finally:
        assert holder.pid is not None
        os.kill(holder.pid, signal.SIGKILL)  # a crash: the kernel drops the lock
        holder.join(30)
    with run_lock(data) as path:  # free again at once, no stale lock to clean
        assert path == data / LOCK_NAME
        with run_lock(data):  # nested in one process: shared, not a self-deadlock
            pass


def test_a_waiting_run_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = start_holder(data, seconds=1.0)
    started = time.monotonic()
    with run_lock(data, wait=30):
        waited = time.monotonic() - started
    holder.join(30)
    assert 0.3 < waited < 10


def feed(n: int) -> str:
    items = [
        rss_item(
            f"2510.{i:05d}",
            1,
            f"Sparse experts, part {i}",
            f"Abstract {i} about pruning.",
            ["Ada Lovelace"],
            ["cs.LG"],
            "new",
            "Tue, 07 Oct 2025 00:00:00 -0400",
        )
        for i in range(1, n + 1)
    ]
    return rss_document(["cs.LG", "cs.AI"], DATE, items)


def test_two_runs_at_once_pay_each_paper_once(tmp_path: Path) -> None:
    root = make_root(tmp_path, llm={"batch_size": 10, "workers": 1, "timeout": 120})
    gate = threading.Event()  # the LLM answers nobody until the second run is over
    with FakeArxiv() as arxiv, FakeLLM(gate=gate) as llm:
        arxiv.script("/rss/cs.LG+cs.AI", Reply(200, feed(PAPERS)))
        env = cli_env(
            DIGEST_ARXIV_RSS_URL=arxiv.url, OPENAI_BASE_URL=llm.url + "/v1", OPENAI_API_KEY=KEY
        )
        command = [sys.executable, "-m", "generator", "run"]
        first = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 60
            while not llm.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert llm.requests, "the first run never reached the LLM"
            second = subprocess.run(
                command, cwd=root, env=env, capture_output=True, text=True, timeout=120
            )
            still_running = first.poll() is None
            gate.set()
            out, err = first.communicate(timeout=120)
        finally:
            first.kill()
        paid = llm.paid_paper_ids()
    assert still_running, "the first run ended before the second tried: the test proved nothing"
    assert first.returncode == 0, err
    assert second.returncode == 1
    assert f"another arxiv-digest run (pid {first.pid}, since " in second.stderr
    assert f"{LOCK_NAME}; try again when it finishes" in second.stderr
    assert sorted(paid) == sorted(f"2510.{i:05d}" for i in range(1, PAPERS + 1))
    assert DayStore(root / "data").load(DATE).counts.scanned == PAPERS
