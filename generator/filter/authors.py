"""Followed authors: robust name matching (pure), used by the filter stage.

Name matching is case-, accent- and punctuation-insensitive and ignores middle names and
middle initials: "José M. García-López" follows "jose garcia-lopez" and "Jose Garcia Lopez".
A first name given only as an initial ("J. Garcia-Lopez") matches any first name with that
initial -- feeds write full names, so this only loosens matching for configs written with
initials, where the user asked for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from generator.config import FollowedAuthor
from generator.models import Paper

_PUNCT_RE = re.compile(r"[^\w\s]")


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case ASCII tokens of a person's name; "Last, First" is turned around."""
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    # NFKD splits "é" into "e" + a combining accent, which is then dropped.
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Hyphens and dots separate tokens ("Jean-Pierre", "J.P."); other punctuation goes.
    spaced = re.sub(r"[-.\u2010-\u2015]", " ", ascii_name.casefold())
    return tuple(_PUNCT_RE.sub("", spaced).split())


@dataclass(frozen=True)
class _NameKey:
    first: str
    last: str
    # A hyphenated surname arrives split in tokens; keep the full tail to compare too.
    tail: tuple[str, ...]


def _key(name: str) -> _NameKey | None:
    tokens = name_tokens(name)
    if not tokens:
        return None
    return _NameKey(first=tokens[0] if len(tokens) > 1 else "", last=tokens[-1], tail=tokens[1:])


def _first_names_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True  # a mononym or a bare surname: the surname decides
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b


def names_match(wanted: str, candidate: str) -> bool:
    """True when ``candidate`` (from a feed) names the followed author ``wanted``."""
    w, c = _key(wanted), _key(candidate)
    if w is None or c is None:
        return False
    if w.last != c.last:
        return False
    # Multi-token surnames ("Del Maestro", "Garcia Lopez"): every surname token of the
    # shorter tail must appear, so "Maria Lopez" does not follow "Jose Garcia Lopez".
    if len(w.tail) > 1 and len(c.tail) > 1:
        shorter, longer = sorted((w.tail, c.tail), key=len)
        if not set(shorter[-2:]) <= set(longer):
            return False
    return _first_names_agree(w.first, c.first)


class AuthorMatcher:
    """Matches papers against the followed authors of the config."""

    def __init__(self, followed: Iterable[FollowedAuthor | str]) -> None:
        self.names = [a if isinstance(a, str) else a.name for a in followed]

    def __bool__(self) -> bool:
        return bool(self.names)

    def matches(self, paper: Paper) -> list[str]:
        """The followed names that appear among the paper's authors."""
        return [
            wanted
            for wanted in self.names
            if any(names_match(wanted, author) for author in paper.authors)
        ]
