"""YAML reading and writing: libyaml's C loader/dumper when present, atomic writes.

Pure-Python PyYAML is several times slower than libyaml, which ships in PyYAML's wheels.
The loader is strict where PyYAML is lenient: a duplicate key is an error (PyYAML keeps the
last value silently), and a scalar its constructor cannot read (``2025-02-30``, an integer
of thousands of digits) is a YAML error with its line, like a syntax error.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from generator.errors import DataError, DigestError, short_repr

try:  # pragma: no branch - depends on how PyYAML was built
    from yaml import CSafeDumper as SafeDumper
    from yaml import CSafeLoader as SafeLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover
    from yaml import SafeDumper, SafeLoader  # type: ignore[assignment]

    HAVE_LIBYAML = False


try:  # pragma: no branch - an optional speed-up, see fast_loads
    import yaml_rs

    HAVE_YAML_RS = True
except ImportError:  # pragma: no cover
    yaml_rs = None  # type: ignore[assignment]
    HAVE_YAML_RS = False


log = logging.getLogger(__name__)

# Temp files of atomic writes are ``.NAME.XXXXXXXX.tmp`` beside their target: hidden, and
# recognisable, so a sweep (and .gitignore's ``data/**/.*.tmp``) finds ones a killed
# process left behind.
TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
STALE_TEMP_SECONDS = 3600.0  # no write takes an hour: an older temp file is abandoned
_MERGE_TAG = "tag:yaml.org,2002:merge"
# A "!" where a YAML tag may start: at a line start or after white space or [ { ,
_MAYBE_TAG_RE = re.compile(r"(?:^|[\s\[{,])!", re.MULTILINE)


class StrictLoader(SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader refusing duplicate keys and reporting unreadable scalars with their line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            if key_node.value in seen:
                raise ConstructorError(
                    None,
                    None,
                    f"duplicate key {short_repr(key_node.value)} "
                    f"(first given on line {seen[key_node.value] + 1})",
                    key_node.start_mark,
                )
            seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's scalar constructors raise plain ValueErrors (dt.date(2025, 2, 30), int()
        # past Python's 4,300-digit limit) without the line: give them one.
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError) as exc:
            value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            reason = str(exc).split(";")[0]
            if "integer string conversion" in reason:
                reason = f"an integer of {len(str(value)):,} digits is far too large"
            raise ConstructorError(
                None, None, f"cannot read {short_repr(value)}: {reason}", node.start_mark
            ) from exc


class DataLoader(StrictLoader):
    """:class:`StrictLoader` for files we write (day files): anchors and aliases refused.

    Our dumper never writes an alias, and a few lines of nested aliases expand into
    billions of values for whoever walks the result. Hand-written config keeps them.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:  # a node met twice is an alias (*name)
            raise ConstructorError(
                None, None, "aliases (*name) are not allowed in this file", node.start_mark
            )
        return super().construct_object(node, deep)


ErrorFactory = Callable[[str | Path, str | None, str], DigestError]


class FlowMap(dict[str, Any]):
    """A mapping written on one line (``{id: '2510.05064', relevance: 8, novelty: 7}``)."""


class _Dumper(SafeDumper):  # type: ignore[misc,valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the loader refuses aliases: never write one, even for repeated values


def _represent_flow_map(dumper: yaml.SafeDumper, data: FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Multi-line text (abstracts, prompts) as literal blocks: readable and diff-friendly.
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(FlowMap, _represent_flow_map)  # type: ignore[arg-type]
_Dumper.add_representer(str, _represent_str)  # type: ignore[arg-type]


def loads(text: str, loader: type[StrictLoader] = StrictLoader) -> Any:
    """The reference reading of ``text`` (YAML 1.1, strict); raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader (C or Python)


def load_text(
    text: str, source: str | Path, error: ErrorFactory, loader: type[StrictLoader] = StrictLoader
) -> Any:
    """:func:`loads`, with a YAML error raised as ``error(source, "line L, column C", why)``."""
    try:
        return loads(text, loader)
    except yaml.YAMLError as exc:
        raise error(source, *yaml_problem(exc)) from exc


def yaml_problem(exc: yaml.YAMLError) -> tuple[str | None, str]:
    """Where a YAML error is ("line 3, column 7") and what it is, on one line."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    # A constructor error is well-formed YAML with a bad value (a duplicate key, 2025-02-30).
    return where, problem if isinstance(exc, ConstructorError) else f"not valid YAML: {problem}"


def fast_loads(text: str) -> Any | None:
    """Parse with yaml-rs (Rust) when installed, else None: a fast path, never the last word.

    libyaml's parser is C but PyYAML builds the Python objects in Python, which dominates
    loading a large archive; yaml-rs builds them natively, many times faster (BENCHMARKS.md).
    yaml-rs reads YAML 1.2, PyYAML 1.1: they differ on rare plain scalars (``1e3``, ``010``,
    ``yes``) and yaml-rs refuses duplicate keys. So callers validate what this returns and,
    on any failure, parse again with :func:`loads`, whose result and error messages (file,
    line, column) are the reference. Returns None when yaml-rs is absent or refuses the text,
    and for text that may hold a tag (``!foo``, ``!!binary``): yaml-rs ignores tags that
    PyYAML refuses or reads differently. Our dumper writes none, so only hand-edited files
    (or a title with " !" in it) take the slower reference path. Aliases are bounded by
    yaml-rs's own replay limit (a million values), and day files refuse them on the
    reference path.
    """
    if yaml_rs is None or _MAYBE_TAG_RE.search(text):
        return None
    try:
        return yaml_rs.loads(text)
    except Exception:  # noqa: BLE001 - any refusal just means "take the reference path"
        return None


def dumps(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,  # key order is the schema's field order: stable and readable
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half.

    A failed write (read-only folder, full disk) leaves the old file as it was and raises
    ``DataError(path, None, "cannot write: <reason>")``. Temp files that a killed writer
    left in the folder are swept first.
    """
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise DataError(path, None, f"cannot write: {exc.strerror or exc}") from exc
        raise


def is_temp_file(name: str) -> bool:
    """Whether ``name`` is one of :func:`atomic_write_text`'s temp files."""
    return bool(_TEMP_RE.fullmatch(name))


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete temp files in ``folder`` older than ``older_than`` seconds; return them."""
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        if not is_temp_file(entry.name):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except FileNotFoundError:
            continue  # another process swept it first
        except OSError as exc:  # a read-only folder: the write that follows will say so
            log.warning("cannot remove stale temp file %s: %s", entry.path, exc.strerror)
    if removed:
        log.info("removed %d stale temp file(s) in %s", len(removed), folder)
    return removed


def node_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indexes), if it can be found.

    Only used on the error path, so composing the document a second time costs nothing in
    the common case.
    """
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=StrictLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key_node = next((k for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return line
            line = key_node.start_mark.line + 1 if key_node is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
