"""`arxiv-digest backfill` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("backfill", help="(not implemented yet)", description="Not implemented yet.")
    parser.set_defaults(func=_handle)


def _handle(args: argparse.Namespace) -> int:
    print("arxiv-digest backfill: not implemented yet")
    return 2
