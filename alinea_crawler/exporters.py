"""CSV with list fields joined by "; " (Scrapy's default joins with a bare ","); JSON Lines that survive a kill;
Parquet with typed columns."""

from dataclasses import fields
from functools import cache
from typing import Any

from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from .items import ArticleItem


class ArticleCsvItemExporter(CsvItemExporter):
    def __init__(self, file, **kwargs):
        kwargs.setdefault("join_multivalued", "; ")
        super().__init__(file, **kwargs)


class FlushingJsonLinesItemExporter(JsonLinesItemExporter):
    """JSON Lines, each line written in one piece and flushed at once.

    A crawl that is killed (even with SIGKILL) leaves a file that parses to its
    last line: the lines already written are whole, and none is half-written
    by a buffer flushed in two parts.
    """

    def export_item(self, item: Any) -> None:
        line = self.encoder.encode(dict(self.get_serialized_fields(item))) + "\n"
        self.file.write(to_bytes(line, self.encoding))
        self.file.flush()


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
