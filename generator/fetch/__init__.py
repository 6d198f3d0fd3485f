"""The fetch stage: arXiv's daily RSS announcement, the arXiv API for past days, and the
Semantic Scholar lookups behind followed authors' h-index gate.

Parsing is pure (``rss.parse_feed``, ``api.parse_api_page``, ``schedule``), and both parsers
check and normalise each paper's fields the same way (``fields``). All network I/O goes
through :class:`generator.fetch.http.PoliteClient`, and every request, doctor's too, through
``transport`` (the redirect policy, the bounded body read, the DNS hint).
"""
