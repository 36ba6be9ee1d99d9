"""CSV with list fields joined by "; " (Scrapy's default joins with a bare ","); JSON Lines that survive a kill;
Parquet with typed columns; a stdout feed that stops the crawl cleanly when its reader goes away.

An empty run writes valid empty files, one rule for every format: CSV its header line, JSON ``[]``,
JSON Lines nothing (zero lines), Parquet the schema with no rows (``FEED_STORE_EMPTY`` is Scrapy's
default, ``True``).
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonLinesItemExporter
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.python import to_bytes

from .items import FIELD_NAMES, ArticleItem
from .stats import FAILED, FEED_CUT

logger = logging.getLogger(__name__)
_FIELD_SET = frozenset(FIELD_NAMES)
STDOUT_CLOSED = "stdout_closed"  # close reason: the program reading the stdout feed closed the pipe


class ArticleCsvItemExporter(CsvItemExporter):
    def __init__(self, file, **kwargs):
        kwargs.setdefault("join_multivalued", "; ")
        super().__init__(file, **kwargs)

    def finish_exporting(self) -> None:
        if self._headers_not_written:  # no article: the header alone is still a CSV any reader takes
            self._headers_not_written = False
            self.fields_to_export = self.fields_to_export or FIELD_NAMES
            self._write_headers_and_set_fields_to_export(None)
        super().finish_exporting()


class FlushingJsonLinesItemExporter(JsonLinesItemExporter):
    """JSON Lines, each line written in one piece and flushed at once.

    A crawl that is killed (even with SIGKILL) leaves a file that parses to its
    last line: the lines already written are whole, and none is half-written
    by a buffer flushed in two parts.
    """

    def __init__(self, file, **kwargs):
        super().__init__(file, **kwargs)
        plain = type(self).serialize_field is BaseItemExporter.serialize_field  # no serializer of a subclass's own
        self.article_fields = _plain_fields(self.fields_to_export, self.export_empty_fields) if plain else None

    def export_item(self, item: Any) -> None:
        line = self.encoder.encode(self.serialized(item)) + "\n"
        self.file.write(to_bytes(line, self.encoding))
        self.file.flush()

    def serialized(self, item: Any) -> dict[str, Any]:
        """``dict(self.get_serialized_fields(item))``; an ``ArticleItem``'s read straight from its attributes
        (no field of it has a serializer): the general way makes an adapter, and looks up the field and calls
        its serializer for each field, ~6x the time."""
        if self.article_fields is not None and type(item) is ArticleItem:
            return {name: getattr(item, name) for name in self.article_fields}
        return dict(self.get_serialized_fields(item))


def _plain_fields(fields_to_export, export_empty_fields: bool) -> list[str] | None:
    """The ArticleItem fields ``get_serialized_fields`` exports, in order, when they are plain names;
    ``None`` when they are renamed (a mapping) or a name that is no field would be exported empty."""
    if any("serializer" in field.metadata for field in fields(ArticleItem)):
        return None
    if fields_to_export is None:
        return FIELD_NAMES
    if isinstance(fields_to_export, Mapping) or (export_empty_fields and not set(fields_to_export) <= _FIELD_SET):
        return None
    return [name for name in fields_to_export if name in _FIELD_SET]


def parquet_type(annotation: str):
    """The column type of an ArticleItem field: list fields list<string>, int fields int64, the rest string."""
    import pyarrow as pa

    if annotation.startswith("list"):
        return pa.list_(pa.string())
    if annotation.startswith("int"):
        return pa.int64()
    return pa.string()


@cache
def article_types() -> dict:
    """Column types by field name. pyarrow is imported by the first Parquet feed, not by every crawl
    (Scrapy loads every FEED_EXPORTERS class, used or not, and pyarrow takes ~0.1 s to import)."""
    return {f.name: parquet_type(str(f.type)) for f in fields(ArticleItem)}


class ParquetItemExporter(BaseItemExporter):
    """Parquet (pyarrow): one column per field in ``FEED_EXPORT_FIELDS`` order, fixed types.

    Rows are written in row groups of ``ROW_GROUP`` items, so memory stays flat on
    big crawls. Unlike JSON Lines, a Parquet file is readable only once closed:
    its footer is written when the feed is finished.
    """

    ROW_GROUP = 1000

    def __init__(self, file, **kwargs):
        import pyarrow as pa

        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        types = article_types()
        names = list(self.fields_to_export or types)
        self.schema = pa.schema([(name, types.get(name, pa.string())) for name in names])
        self.rows: list[dict[str, Any]] = []
        self.writer = None  # a pyarrow.parquet.ParquetWriter from start_exporting on

    def start_exporting(self) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(self.file, self.schema, compression="zstd")

    def export_item(self, item: Any) -> None:
        self.rows.append(dict(self.get_serialized_fields(item, default_value=None)))
        if len(self.rows) >= self.ROW_GROUP:
            self._write_rows()

    def finish_exporting(self) -> None:
        self._write_rows()
        self.writer.close()  # writes the footer; the feed storage closes the file itself

    def _write_rows(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []


class FeedError(ValueError):
    """A feed cannot be written as asked; the message is one line naming it."""


def check_appends(feeds: dict[str, dict[str, Any]]) -> None:
    """Refuse ``-o FILE.parquet`` onto a non-empty file: appended Parquet bytes would hide the rows already
    there (a reader sees only the last footer). CSV and JSON Lines append as Scrapy does."""
    for uri, options in feeds.items():
        if options.get("format") != "parquet" or options.get("overwrite"):
            continue
        parts = urlsplit(str(uri))
        if parts.scheme in ("", "file"):
            path = Path(url2pathname(parts.path) if parts.scheme else uri)
            if path.is_file() and path.stat().st_size:
                raise FeedError(f"feed {str(uri)!r}: a Parquet file cannot be appended to (-o); "
                                "-O replaces it, or name a new file")


class StdoutFeedStorage:
    """``-o -`` / ``-O -``: the feed on stdout, for a pipe into another program.

    Each write goes to the pipe at once, so a reader that closes it (``| head``) is noticed at the
    article being written: the crawl then stops (close reason ``stdout_closed``) with one line, the
    feed counts only the articles written before, and ``alinea/failed`` says
    ``stdout: closed by the reader after N articles`` (exit 1). Overwriting means nothing for a
    pipe: ``-O -`` is ``-o -``, without Scrapy's warning.
    """

    def __init__(self, uri: str, *, crawler=None, feed_options: dict[str, Any] | None = None):
        self.crawler = crawler
        self.articles_before_close: int | None = None  # set when the reader closed the pipe

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> StdoutFeedStorage:
        return cls(uri, crawler=crawler, feed_options=feed_options)

    def open(self, spider) -> IO[bytes]:
        return _PipeWriter(sys.stdout.buffer, on_closed=self.reader_closed)

    def store(self, file: IO[bytes]) -> None:
        pass  # written as it went

    def reader_closed(self) -> None:
        """Called while the FeedExporter writes an article, the first one that did not get through."""
        slot = self._slot()
        self.articles_before_close = count = slot.itemcount if slot else 0
        if slot:
            slot.filter = _ACCEPTS_NOTHING  # later articles are not offered to this feed, nor counted
            slot.itemcount = count - 1  # the FeedExporter counts this article when we return: it never arrived
        message = f"stdout: closed by the reader after {count} article{'' if count == 1 else 's'}"
        stats = self.crawler.stats
        stats.set_value(FEED_CUT.format(feed="stdout"), count)
        stats.set_value(FAILED, message)
        logger.error("%s: stopping the crawl", message)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=STDOUT_CLOSED))

    def _slot(self):
        exporters = (ext for ext in self.crawler.extensions.middlewares if isinstance(ext, FeedExporter))
        return next((slot for ext in exporters for slot in ext.slots if slot.storage is self), None)


class _AcceptsNothing:
    """A feed item filter (``FeedSlot.filter``) that lets no item through."""

    def accepts(self, item: Any) -> bool:
        return False


_ACCEPTS_NOTHING = _AcceptsNothing()


class _PipeWriter(io.RawIOBase):
    """A binary file over stdout that writes through, and on a closed pipe calls ``on_closed`` once,
    points stdout at /dev/null (so nothing, Python's own flush at exit included, fails on it again)
    and drops what follows."""

    def __init__(self, stdout: IO[bytes], on_closed):
        super().__init__()
        self.stdout, self.on_closed, self.broken = stdout, on_closed, False

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if not self.broken:
            try:
                self.stdout.write(data)
                self.stdout.flush()
            except BrokenPipeError:
                self.broken = True
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.stdout.fileno())
                self.on_closed()
        return len(data)

    def close(self) -> None:
        pass  # stdout is not ours to close (Scrapy closes a feed's file when it is stored)
