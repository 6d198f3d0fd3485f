"""Golden files: compare generated output with ``tests/golden/<name>``.

``UPDATE_GOLDEN=1`` (``make golden``) rewrites them after an intended change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"


def check_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with ``tests/golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites it."""
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.is_file():
        raise AssertionError(f"{path} missing: run `make golden` (UPDATE_GOLDEN=1) to create it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True),
                actual.splitlines(True),
                f"golden/{name}",
                "rendered",
                n=2,
            )
        )
        raise AssertionError(
            f"output differs from golden/{name} (`make golden` to accept):\n" + diff[:4000]
        )
