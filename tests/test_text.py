"""The one normalisation rule for text from outside (generator/text.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator import text


def test_clean_removes_what_breaks_xml_json_and_terminals() -> None:
    hostile = "a\x00b\x1b[31mred\x07\ud800c\ufffe\x85d\r\ne"
    cleaned = text.clean(hostile, 100)
    assert cleaned == "ab[31mredcd\ne"
    cleaned.encode("utf-8")  # no lone surrogate left
    ET.fromstring(f"<t>{cleaned}</t>")  # well-formed XML


def test_clean_is_nfc_and_caps_length_with_an_ellipsis() -> None:
    assert text.clean("e\u0301", 10) == "\u00e9"
    long = text.clean("word " * 100, 20)
    assert len(long) <= 20 and long.endswith(text.ELLIPSIS)
    assert text.clean(None, 5) == ""


def test_problem_names_the_character_or_the_length() -> None:
    assert text.problem("fine\ttext\n", 100) is None
    assert "U+0000" in (text.problem("a\x00", 100) or "")
    assert "at most 3" in (text.problem("abcd", 3) or "")


def test_for_terminal_is_one_safe_line() -> None:
    assert (
        text.for_terminal("<h1>\x1b]0;pwned\x07Error</h1>\nmore") == "<h1>]0;pwnedError</h1> more"
    )
