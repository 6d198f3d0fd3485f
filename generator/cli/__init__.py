"""The ``arxiv-digest`` command line: thin handlers over library code.

Each sub-command lives in its own module exposing ``register(subparsers)``; handlers read
the config, call library code, and translate :class:`~generator.errors.DigestError` into a
message and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from generator.cli import backfill, doctor, fetch, run, score, validate
from generator.errors import DigestError

COMMANDS = (run, fetch, backfill, score, validate, doctor)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arxiv-digest",
        description="A personalized daily arXiv digest: fetch the day's announcement, score "
        "each paper against your topics, write data/ day files for the MkDocs site.",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="configuration file (default: digest.yaml in the current folder, or $DIGEST_CONFIG)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
