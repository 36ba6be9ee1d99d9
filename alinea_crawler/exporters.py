"""CSV with list fields joined by "; " (Scrapy's default joins with a bare ","); JSON Lines that survive a kill."""

from typing import Any

from scrapy.exporters import CsvItemExporter, JsonLinesItemExporter
from scrapy.utils.python import to_bytes


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
