"""The ``arxiv-digest`` command line: thin handlers over library code.

Each sub-command lives in its own module exposing ``register(subparsers)``; handlers read
the config, call library code, and translate :class:`~generator.errors.DigestError` into a
one-line message and a non-zero exit code.

Logging goes to stderr through one handler whose filter hides secrets in every record: the
values of ``OPENAI_API_KEY``/``S2_API_KEY`` and any ``user:password@`` in a URL (httpx logs
each request URL, and ``OPENAI_BASE_URL`` may carry credentials). The HTTP and SDK loggers
are quiet (WARNING) unless ``--verbose``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from generator import text
from generator.cli import backfill, doctor, fetch, run, score, validate
from generator.doctor import redact
from generator.errors import DigestError

COMMANDS = (run, fetch, backfill, score, validate, doctor)
# Third-party loggers that print every request (URL included) at INFO or DEBUG.
CHATTY_LOGGERS = ("httpx", "httpcore", "openai")
ERROR_LIMIT = 2_000  # characters of an error message printed


class RedactSecrets(logging.Filter):
    """Rewrites each record with its secrets hidden (message, arguments and traceback)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__()
        self.env = env

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage(), self.env), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.env)
        record.exc_info = None  # formatted (and redacted) above; never formatted again
        return True


@contextmanager
def cli_logging(verbose: bool, env: Mapping[str, str]) -> Iterator[None]:
    """Log to stderr for the length of one command, secrets hidden."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(env))
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # First among the root's handlers: the filter rewrites the record before any other
    # handler (a test's log capture, say) sees it.
    root.handlers.insert(0, handler)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)


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
    with cli_logging(args.verbose, os.environ):
        try:
            return int(args.func(args) or 0)
        except DigestError as exc:
            print(error_line(exc, os.environ), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130


def error_line(exc: BaseException, env: Mapping[str, str]) -> str:
    """``error: ...`` on one line, without control characters or secrets."""
    return f"error: {text.for_terminal(redact(str(exc), env), ERROR_LIMIT)}"
