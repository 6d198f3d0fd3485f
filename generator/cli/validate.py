"""`arxiv-digest validate`: check the config, the prompt and every day file at once.

Each problem is one line naming the file, the key (and line) and what was expected; the
checks are the ones every run and site build make (config and store loaders), so a file
that validates also loads.
"""

from __future__ import annotations

import argparse
import sys

from generator.config import load_settings
from generator.errors import ConfigError
from generator.store import DayStore


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "validate",
        help="check digest.yaml, the prompt file and every day file; report all problems",
        description="Validate the configuration, the selection prompt and every day file under "
        "the data directory. Reports every problem (file, key, line, what was expected) "
        "and exits 1 if there is any.",
    )
    parser.add_argument(
        "--data", metavar="DIR", default=None, help="data directory (default: from the config)"
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    problems: list[str] = []
    data_dir = args.data
    try:
        settings = load_settings(args.config)
        data_dir = data_dir or str(settings.data_dir)
    except ConfigError as exc:
        problems.extend(exc.lines())
        data_dir = data_dir or "data"
    store = DayStore(data_dir)
    paths = store.paths()
    for error in store.validate_all():
        problems.extend(error.lines())
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    status = "ok" if not problems else f"{len(problems)} problem(s)"
    print(f"checked config and {len(paths)} day file(s) in {data_dir}: {status}")
    return 1 if problems else 0
