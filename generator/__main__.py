"""`python -m generator` is the same as the `arxiv-digest` command."""

from generator.cli import main

raise SystemExit(main())
