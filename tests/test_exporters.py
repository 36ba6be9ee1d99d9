"""The JSON Lines exporter writes what Scrapy's own JsonLinesItemExporter writes, whatever the feed's options."""
from __future__ import annotations

import io

import pytest
from scrapy.exporters import JsonLinesItemExporter

from alinea_crawler.exporters import FlushingJsonLinesItemExporter
from alinea_crawler.items import FIELD_NAMES, ArticleItem

ITEMS = [
    ArticleItem(url="http://x.test/a-b1", article_id="b1", title="Judul “kutip”", authors=["A", "B"], word_count=3,
                body="Satu dua.\n\nTiga.", revision=1),
    ArticleItem(url="http://x.test/a-b2", article_id="b2"),
    {"url": "http://x.test/a-b3", "title": "a dict item", "extra": 1},
]


@pytest.mark.parametrize("options", [
    {"fields_to_export": FIELD_NAMES},  # the project's FEED_EXPORT_FIELDS
    {},
    {"fields_to_export": ["title", "url", "not_a_field"]},
    {"fields_to_export": ["title", "url", "not_a_field"], "export_empty_fields": True},
    {"fields_to_export": {"title": "judul", "url": "alamat"}},
    {"fields_to_export": ["body", "title"], "export_empty_fields": True, "encoding": None},
])
def test_lines_are_scrapys_own(options):
    written = []
    for exporter_class in (JsonLinesItemExporter, FlushingJsonLinesItemExporter):
        file = io.BytesIO()
        exporter = exporter_class(file, **{"encoding": "utf-8", **options})
        exporter.start_exporting()
        for item in ITEMS:
            exporter.export_item(item)
        exporter.finish_exporting()
        written.append(file.getvalue())
    assert written[1] == written[0]
    assert written[1].count(b"\n") == len(ITEMS)
