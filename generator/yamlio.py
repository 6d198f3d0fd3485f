"""YAML reading and writing: libyaml's C loader/dumper when present, atomic writes.

Pure-Python PyYAML loads ~1.5 MB/s, so a 1,000-day archive would take over a minute to
load; libyaml is ~10x faster and ships in PyYAML's wheels.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

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


class FlowMap(dict[str, Any]):
    """A mapping written on one line (``{id: '2510.05064', relevance: 8, novelty: 7}``)."""


class _Dumper(SafeDumper):  # type: ignore[misc,valid-type]
    pass


def _represent_flow_map(dumper: yaml.SafeDumper, data: FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Multi-line text (abstracts, prompts) as literal blocks: readable and diff-friendly.
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(FlowMap, _represent_flow_map)  # type: ignore[arg-type]
_Dumper.add_representer(str, _represent_str)  # type: ignore[arg-type]


def loads(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader (C or Python)


def fast_loads(text: str) -> Any | None:
    """Parse with yaml-rs (Rust) when installed, else None: a fast path, never the last word.

    libyaml's parser is C but PyYAML builds the Python objects in Python: ~30 ms for a
    200 KB day file, ~30 s for 1,000 days; yaml-rs builds them natively, over 10x faster.
    yaml-rs reads YAML 1.2, PyYAML 1.1: they differ on rare plain scalars (``1e3``, ``010``,
    ``yes``) and yaml-rs refuses duplicate keys. So callers validate what this returns and,
    on any failure, parse again with :func:`loads`, whose result and error messages (file,
    line, column) are the reference. Returns None when yaml-rs is absent or refuses the text.
    """
    if yaml_rs is None:
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
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def node_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indexes), if it can be found.

    Only used on the error path, so composing the document a second time costs nothing in
    the common case.
    """
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=SafeLoader)
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


def iter_files(root: Path, pattern: str) -> Iterator[Path]:
    yield from sorted(root.glob(pattern))
