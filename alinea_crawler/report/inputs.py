"""Reading what a report is made of: exported articles (JSON Lines, JSON, CSV, Parquet) and crawl reports.

``find_exports`` turns files, folders and globs into export files; the same
export written in several formats (``alinea-<job>.csv`` and ``.jsonl`` from
``ALINEA_EXPORT_DIR``) is read once, in the first format of ``FORMATS``.
``read_rows`` gives every row as a dict of item fields with the item's types
(lists are lists in every format, ``word_count`` and ``revision`` ints).
Anything that cannot be read raises ``InputError`` with a one-line message.
"""

from __future__ import annotations

import csv
import glob
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..items import FIELD_NAMES

FORMATS = (".parquet", ".jsonl", ".json", ".csv")  # preferred first: the typed format
FOLDER_FORMATS = (".parquet", ".jsonl", ".csv")  # a folder's .json files may be crawl reports: named ones only
LIST_FIELDS = ("authors", "tags", "related_urls")
INT_FIELDS = ("word_count", "revision")
CSV_LIST_SEPARATOR = "; "  # ArticleCsvItemExporter's join_multivalued


class InputError(Exception):
    """An input is missing or unreadable; the message is one line naming it."""


def find_exports(specs: Iterable[str]) -> list[Path]:
    """Export files named by files, folders (their .parquet, .jsonl and .csv files, not recursive) or globs."""
    found: list[Path] = []
    for spec in specs:
        path = Path(spec).expanduser()
        if path.is_dir():
            matches = sorted(p for p in path.iterdir() if p.suffix in FOLDER_FORMATS and p.is_file())
        elif path.is_file():
            matches = [path]
        else:
            matches = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).suffix in FORMATS and Path(p).is_file())
            if not matches:
                raise InputError(f"no export file at {spec!r} (a .jsonl, .json, .csv or .parquet file, "
                                 "a folder of them or a glob)")
        found += matches
    if not found:
        raise InputError(f"no export files in {', '.join(map(repr, specs))}")
    return one_format_each(found)


def one_format_each(paths: list[Path]) -> list[Path]:
    """Drop ``x.csv`` when ``x.jsonl`` (or ``x.parquet``) is also given: one export, two formats."""
    chosen: dict[Path, Path] = {}
    for path in dict.fromkeys(p.resolve() for p in paths):
        if path.suffix not in FORMATS:
            raise InputError(f"{path}: not an export file (expected {', '.join(FORMATS)})")
        stem = path.with_suffix("")
        if stem not in chosen or FORMATS.index(path.suffix) < FORMATS.index(chosen[stem].suffix):
            chosen[stem] = path
    return sorted(chosen.values())


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Every article row of one export file, typed like the item."""
    try:
        raw = list(_READERS[path.suffix](path))
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as error:  # pyarrow's errors are ValueErrors/OSErrors
        raise InputError(f"{path}: cannot be read as {path.suffix[1:]}: {_first_line(error)}") from None
    rows = []
    for number, row in enumerate(raw, 1):
        if not isinstance(row, dict) or not row.get("article_id"):
            raise InputError(f"{path}: row {number} is no exported article (no article_id)")
        rows.append(typed(row))
    return rows


def typed(row: dict[str, Any]) -> dict[str, Any]:
    """A row with every item field, empty values ``None`` (lists ``[]``), lists and ints as in the item."""
    out: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = row.get(name)
        if value in ("", None) or value == []:
            value = [] if name in LIST_FIELDS else None
        elif name in LIST_FIELDS and isinstance(value, str):
            value = value.split(CSV_LIST_SEPARATOR)
        elif name in LIST_FIELDS:
            value = list(value)
        elif name in INT_FIELDS:
            value = int(value)
        out[name] = value
    return out


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _json(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of articles")
    return data


def _csv(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as text:
        yield from csv.DictReader(text)


def _parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq  # imported only to read a Parquet export, not by every crawl (hook)

    return pq.read_table(path).to_pylist()


_READERS = {".jsonl": _jsonl, ".json": _json, ".csv": _csv, ".parquet": _parquet}


def read_crawl_report(path: str | Path) -> dict[str, Any]:
    """An ``ALINEA_REPORT_FILE`` JSON (``extensions.CrawlReport``)."""
    path = Path(path).expanduser()
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"crawl report {path}: cannot be read: {_first_line(error)}") from None
    if not isinstance(report, dict) or not isinstance(report.get("stats"), dict):
        raise InputError(f"crawl report {path}: not a crawl report (ALINEA_REPORT_FILE JSON with 'stats')")
    report.setdefault("path", str(path))
    return report


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
