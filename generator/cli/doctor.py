"""`arxiv-digest doctor`: check the setup (config, keys, endpoints, data) and say what to fix."""

from __future__ import annotations

import argparse
import os

from generator.doctor import render, run_checks


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "doctor",
        help="check config, API keys, arXiv and LLM endpoints and data/; print what to fix",
        description="Check that this setup can produce a digest: the configuration and prompt "
        "validate, OPENAI_API_KEY is present (never printed), the arXiv RSS and API endpoints "
        "and the LLM endpoint answer (GET {base_url}/models with the key), and every day file "
        "validates. Prints a checklist with what to fix; exits 1 if anything is broken.",
    )
    parser.add_argument(
        "--offline", action="store_true", help="skip the network checks (arXiv, LLM endpoint)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="timeout of each endpoint check (default: 5)",
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    checks = run_checks(args.config, os.environ, timeout=args.timeout, network=not args.offline)
    print(render(checks))
    return 1 if any(check.status == "fail" for check in checks) else 0
