"""A rich progress bar on stderr for scoring (off when stderr is not a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from generator.pipeline import Progress as Hooks


@contextmanager
def scoring_progress(label: str = "scoring") -> Iterator[Hooks]:
    """Hooks that drive a progress bar; plain no-ops when stderr is not a TTY."""
    console = Console(stderr=True)
    if not sys.stderr.isatty():
        yield Hooks()
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield Hooks(
            start=lambda total: bar.update(task, total=total),
            advance=lambda n: bar.advance(task, n),
        )
