"""The filter stage: announce types, categories, dedup, followed authors, updates, thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.config import parse_config
from generator.filter import AUTHOR_MATCH_COMMENT, keep, select
from generator.filter.authors import names_match
from generator.models import Announcement, AnnounceType, Paper, Score
from generator.schema import KeptBecause

DAY = dt.date(2025, 10, 7)


def paper(
    pid: str,
    kind: str = "new",
    cats: tuple[str, ...] = ("cs.LG",),
    version: int = 1,
    authors: tuple[str, ...] = ("Ada Lovelace",),
) -> Paper:
    return Paper(
        id=pid,
        version=version,
        title=f"Title {pid}",
        authors=authors,
        abstract=f"Abstract {pid}",
        categories=cats,
        announce_type=AnnounceType(kind),
    )


def scored(pid: str, relevance: int, novelty: int, version: int = 1) -> Score:
    return Score(
        id=pid,
        version=version,
        status="scored",
        relevance=relevance,
        novelty=novelty,
        comment=f"comment {pid}",
        tags=("Topic",),
    )


def announce(*papers: Paper) -> Announcement:
    return Announcement(date=DAY, papers=tuple(papers), source="test")


def test_select_keeps_configured_types_and_categories() -> None:
    config = parse_config({}, env={})
    ann = announce(
        paper("2510.00001", "new"),
        paper("2510.00002", "cross", cats=("stat.ML", "cs.AI")),
        paper("2510.00003", "replace"),
        paper("2510.00004", "replace-cross", cats=("math.OC", "cs.LG")),
        paper("2510.00005", "new", cats=("cs.CV",)),  # not a configured category
    )
    sel = select(ann, config, {})
    assert [p.id for p in sel.to_score] == ["2510.00001", "2510.00002"]
    assert sel.total == 5 and sel.scanned == 2
    assert sel.by_type[AnnounceType.REPLACE] == 1 and sel.by_type[AnnounceType.NEW] == 2


def test_primary_only_drops_cross_listed_papers() -> None:
    config = parse_config({"primary_only": True}, env={})
    ann = announce(paper("2510.00001"), paper("2510.00002", "cross", cats=("stat.ML", "cs.AI")))
    assert [p.id for p in select(ann, config, {}).to_score] == ["2510.00001"]


def test_dedup_against_earlier_days_and_within_the_feed() -> None:
    config = parse_config({}, env={})
    ann = announce(paper("2510.00001"), paper("2510.00002"), paper("2510.00002"))
    sel = select(ann, config, {"2510.00001": 1})
    assert [p.id for p in sel.to_score] == ["2510.00002"]
    assert sel.duplicates == {"2510.00001"}
    assert sel.total == 3


def test_keep_updated_replacements_of_shown_papers() -> None:
    ann = announce(
        paper("2510.00001", "replace", version=2),
        paper("2510.00002", "replace", version=2),  # never shown: not an update
        paper("2510.00003", "replace", version=1),  # same version as shown: a duplicate
    )
    kept_before = {"2510.00001": 1, "2510.00003": 1}
    off = select(ann, parse_config({}, env={}), kept_before)
    assert off.to_score == [] and off.updated == set()
    on_config = parse_config({"keep_updated": True}, env={})
    sel = select(ann, on_config, kept_before)
    assert [p.id for p in sel.to_score] == ["2510.00001"] and sel.updated == {"2510.00001"}
    entries = keep(sel, {"2510.00001": scored("2510.00001", 2, 2, version=2)}, on_config)
    assert [(e.id, e.version, e.kept_because) for e in entries] == [
        ("2510.00001", 2, KeptBecause.UPDATED)
    ]


def test_keep_thresholds_order_and_author_match() -> None:
    config = parse_config({"followed_authors": [{"name": "José M. García-López"}]}, env={})
    ann = announce(
        paper("2510.00001"),
        paper("2510.00002"),
        paper("2510.00003"),
        paper("2510.00004", authors=("Someone Else", "Jose Garcia Lopez")),
        paper("2510.00005"),
    )
    sel = select(ann, config, {})
    assert sel.followed == {"2510.00004"}
    scores = {
        "2510.00001": scored("2510.00001", 8, 7),  # exactly at the thresholds: kept
        "2510.00002": scored("2510.00002", 9, 6),  # novelty too low
        "2510.00003": scored("2510.00003", 10, 9),
        "2510.00004": Score.unscored(paper("2510.00004"), "budget"),
        "2510.00005": scored("2510.00005", 7, 10),  # relevance too low
    }
    entries = keep(sel, scores, config)
    assert [e.id for e in entries] == ["2510.00003", "2510.00001", "2510.00004"]
    author = entries[-1]
    assert author.kept_because is KeptBecause.AUTHOR
    assert author.relevance is None and author.comment == AUTHOR_MATCH_COMMENT
    assert entries[0].tags == ["Topic"] and entries[0].comment == "comment 2510.00003"


def test_gate_skips_scoring_but_not_followed_authors() -> None:
    config = parse_config({"followed_authors": [{"name": "Ada Lovelace"}]}, env={})
    ann = announce(paper("2510.00001", authors=("Alan Turing",)), paper("2510.00002"))
    sel = select(ann, config, {}, gate=lambda papers: set())
    assert [p.id for p in sel.to_score] == ["2510.00002"]
    assert sel.gated == {"2510.00001"} and sel.scanned == 1


@pytest.mark.parametrize(
    ("wanted", "candidate", "expected"),
    [
        ("Anshumali Shrivastava", "anshumali shrivastava", True),
        ("José García-López", "Jose Garcia-Lopez", True),
        ("José García-López", "Jose M. Garcia Lopez", True),
        ("Geoffrey Hinton", "Geoffrey E. Hinton", True),
        ("Geoffrey E. Hinton", "Geoffrey Hinton", True),
        ("G. Hinton", "Geoffrey Hinton", True),
        ("Hinton, Geoffrey", "Geoffrey Hinton", True),
        ("Geoffrey Hinton", "Gregory Hinton", False),
        ("Jose Garcia Lopez", "Maria Lopez", False),
        ("Adrian Del Maestro", "Adrian Del Maestro", True),
        ("Yann LeCun", "Yann Dauphin", False),
        ("", "Yann LeCun", False),
    ],
)
def test_names_match(wanted: str, candidate: str, expected: bool) -> None:
    assert names_match(wanted, candidate) is expected
