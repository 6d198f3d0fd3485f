"""One run at a time per data directory: an exclusive lock on ``<data dir>/.arxiv-digest.lock``.

Two runs on one data directory would pay for the same papers twice and race on the day
files. The lock is an ``fcntl.flock`` on a file in the data directory: the kernel drops it
when the holder's process ends, however it ends (a crash or ``kill -9`` leaves no stale
lock to clean up). The holder writes its pid and start time in the file, so the run that
finds it taken can say who holds it. POSIX only, like the scheduled runs it protects.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import DataError, RunLocked

LOCK_NAME = ".arxiv-digest.lock"
POLL_SECONDS = 0.2

# Lock files this process holds, with how many callers hold each: flock locks belong to an
# open file, so a nested run_lock() in one process (backfill calling the pipeline) must not
# open the file a second time and lock itself out.
_held: dict[Path, int] = {}
_held_lock = threading.Lock()


def lock_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / LOCK_NAME


def _holder(fd: int) -> tuple[int | None, str | None]:
    """The pid and start time the holder wrote, when readable."""
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw.decode("utf-8"))
        pid, since = info.get("pid"), info.get("since")
        return (pid if isinstance(pid, int) else None, since if isinstance(since, str) else None)
    except (OSError, ValueError, AttributeError):
        return None, None  # written a moment from now, or by something else


@contextmanager
def run_lock(
    data_dir: Path | str,
    *,
    wait: float = 0.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Path]:
    """Hold the data directory's run lock for the ``with`` block; yields the lock file.

    Waits up to ``wait`` seconds for another holder to finish (0: not at all), then raises
    :class:`RunLocked` naming the holder.
    """
    path = lock_path(data_dir)
    key = path.resolve()
    with _held_lock:
        if key in _held:
            _held[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield path
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only or missing data folder: no run can write there
        raise DataError(path, None, f"cannot write: {exc.strerror or exc}") from exc
    try:
        deadline = clock() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    raise RunLocked(path, *_holder(fd)) from None
                sleep(min(POLL_SECONDS, max(deadline - clock(), 0.0)))
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": since}).encode("utf-8"), 0)
        with _held_lock:
            _held[key] = 1
        try:
            yield path
        finally:
            with _held_lock:
                del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
