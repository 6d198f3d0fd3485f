"""The fetch stage: arXiv's daily RSS announcement, the arXiv API for past days, and the
Semantic Scholar lookups behind followed authors' h-index gate.

Parsing is pure (``rss.parse_feed``, ``api.parse_api_feed``, ``schedule``); all network I/O
goes through :class:`generator.fetch.http.PoliteClient`.
"""
