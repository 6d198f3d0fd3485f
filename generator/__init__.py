"""Personalized daily arXiv digest: fetch -> filter -> score -> store, then the site."""
