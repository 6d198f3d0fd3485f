"""The YAML store of day records: ``data/YYYY/YYYY-MM-DD.yaml`` plus ``data/prompts/``.

One file per announcement date, grouped by year so the tree stays navigable at thousands of
days. Loading validates against :mod:`generator.schema`; every problem is a
:class:`~generator.errors.DataError` naming the file, the key and line, and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator import yamlio
from generator.errors import DataError
from generator.schema import PROMPT_HASH_RE, DayRecord
from generator.score.prompt import prompt_hash

_DAY_FILE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.yaml$")
PROMPTS_DIR = "prompts"
PROMPT_SUFFIX = ".md"


# Keys written only when they hold something: a day with no left-out feed items (nearly
# every day) reads the same as before the key existed.
OMITTED_WHEN_EMPTY = ("skipped",)


def record_to_yaml(record: DayRecord) -> str:
    data = record.model_dump(mode="json")
    _drop_absent(record, data)
    for key in OMITTED_WHEN_EMPTY:
        if not data.get(key):
            data.pop(key, None)
    data["scans"] = [yamlio.FlowMap(scan) for scan in data.get("scans", [])]
    return yamlio.dumps(data)


def _drop_absent(model: BaseModel, data: dict[str, Any]) -> None:
    """Leave out keys whose value is None *and* whose default is None (absent = None).

    A None that differs from the default carries meaning and is kept: ``prompt_cost: null``
    is "price unknown", whereas a missing key would read back as the default $0.00.
    """
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            if field.default is None:
                data.pop(name, None)
        elif isinstance(value, BaseModel):
            _drop_absent(value, data[name])
        elif isinstance(value, list):
            for item, item_data in zip(value, data[name], strict=True):
                if isinstance(item, BaseModel):
                    _drop_absent(item, item_data)


def parse_record(text: str, path: Path | str) -> DayRecord:
    """Parse and validate one day file's text; every problem is a DataError naming the file.

    The one reading of a day file (validate, the pipeline and the site all come here): YAML
    errors, duplicate keys, unreadable scalars and schema violations each name the key and,
    where it can be found, the line.
    """
    fast = yamlio.fast_loads(text)
    if isinstance(fast, dict):
        try:
            return DayRecord.model_validate(fast)
        except ValidationError:
            pass  # parsed again below with PyYAML: the reference reading and exact messages
    data = yamlio.load_text(text, path, DataError, yamlio.DataLoader)
    if not isinstance(data, dict):
        raise DataError(path, None, f"expected a mapping of day fields, got {type(data).__name__}")
    try:
        return DayRecord.model_validate(data)
    except ValidationError as exc:
        raise DataError.from_validation(path, exc, lambda loc: yamlio.node_line(text, loc)) from exc


class DayStore:
    """Day records under one data directory."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, date: dt.date) -> Path:
        return self.root / f"{date.year:04d}" / f"{date.isoformat()}.yaml"

    def paths(self) -> list[Path]:
        """Day files, oldest first. Files that look misplaced are included (and fail loading)."""
        if not self.root.is_dir():
            return []
        return sorted(
            (p for p in self.root.glob("[0-9][0-9][0-9][0-9]/*.y*ml")), key=lambda p: p.name
        )

    def dates(self) -> list[dt.date]:
        out = []
        for path in self.paths():
            match = _DAY_FILE_RE.match(path.name)
            if match:
                out.append(dt.date(*map(int, match.groups())))
        return out

    def exists(self, date: dt.date) -> bool:
        return self.path_for(date).is_file()

    def load(self, date: dt.date) -> DayRecord:
        return self.load_path(self.path_for(date))

    def load_path(self, path: Path) -> DayRecord:
        match = _DAY_FILE_RE.match(path.name)
        if not match:
            raise DataError(path, None, "day files are named YYYY-MM-DD.yaml")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataError(path, None, f"cannot read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise DataError(path, None, f"not UTF-8 text: {exc.reason}") from exc
        record = parse_record(text, path)
        if record.date.isoformat() != path.stem:
            raise DataError(path, "date", f"is {record.date}, but the file is named {path.name}")
        if path.parent.name != f"{record.date.year:04d}":
            raise DataError(path, None, f"belongs in the folder {record.date.year:04d}/")
        return record

    def load_all(self) -> list[DayRecord]:
        """Every day, oldest first; the first bad file raises."""
        return [self.load_path(p) for p in self.paths()]

    def validate_all(self) -> list[DataError]:
        """Every problem in every day file and prompt file name (does not stop at the first)."""
        errors: list[DataError] = []
        for path in self.paths():
            try:
                self.load_path(path)
            except DataError as exc:
                errors.append(exc)
        errors.extend(self.stray_prompt_files())
        return errors

    def stray_prompt_files(self) -> list[DataError]:
        """A problem for each file under ``prompts/`` not named ``HASH.md`` (ignored otherwise)."""
        folder = self.root / PROMPTS_DIR
        if not folder.is_dir():
            return []
        return [
            DataError(
                path,
                None,
                "not a prompt file: prompts are named HASH.md (12 to 64 lowercase hex digits)",
            )
            for path in sorted(folder.iterdir())
            if not _is_prompt_file(path) and not yamlio.is_temp_file(path.name)
        ]

    def save(self, record: DayRecord) -> Path:
        """Write atomically; an identical file is left untouched (idempotent re-runs)."""
        path = self.path_for(record.date)
        text = record_to_yaml(record)
        if _has_text(path, text):
            return path
        yamlio.atomic_write_text(path, text)  # sweeps stale temp files in the year folder
        yamlio.remove_stale_temps(self.root / PROMPTS_DIR)
        return path

    def kept_ids(self, before: dt.date | None = None) -> dict[str, int]:
        """Ids (-> highest version) of papers kept on days before ``before`` (dedup)."""
        kept: dict[str, int] = {}
        for date in self.dates():
            if before is not None and date >= before:
                continue
            for paper in self.load(date).papers:
                kept[paper.id] = max(kept.get(paper.id, 0), paper.version)
        return kept

    # The selection prompt behind a day's scores is kept once per distinct text.
    def prompt_path(self, digest: str) -> Path:
        if not PROMPT_HASH_RE.fullmatch(digest):
            raise DataError(self.root / PROMPTS_DIR, None, f"{digest!r} is not a prompt hash")
        return self.root / PROMPTS_DIR / f"{digest}{PROMPT_SUFFIX}"

    def save_prompt(self, text: str) -> str:
        digest = prompt_hash(text)
        path = self.prompt_path(digest)
        if not path.is_file():
            yamlio.atomic_write_text(path, text)
        return digest

    def load_prompt(self, digest: str) -> str | None:
        path = self.prompt_path(digest)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def prompt_hashes(self) -> Iterable[str]:
        """Hashes of the stored prompts; files not named ``HASH.md`` are left out."""
        folder = self.root / PROMPTS_DIR
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.iterdir() if _is_prompt_file(p))


def _is_prompt_file(path: Path) -> bool:
    return path.suffix == PROMPT_SUFFIX and bool(PROMPT_HASH_RE.fullmatch(path.stem))


def _has_text(path: Path, text: str) -> bool:
    """Whether ``path`` already holds exactly ``text`` (a file that cannot be read does not)."""
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False
