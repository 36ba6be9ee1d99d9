"""``-O articles.parquet``: the same rows as JSON Lines, typed columns in the item's field order."""

from __future__ import annotations

import subprocess

import pyarrow as pa
import pyarrow.parquet as pq

from alinea_crawler.exporters import ParquetItemExporter
from alinea_crawler.items import FIELD_NAMES, ArticleItem
from tests.crawl import REPO_ROOT, closed_port_url, run_crawl, scrapy_command

LIST_FIELDS = ("authors", "tags", "related_urls")
INT_FIELDS = ("word_count", "revision")


def test_parquet_round_trip_equals_json_lines(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"},
                       feeds=("items.jsonl", "items.parquet"))
    assert result.returncode == 0, result.log[-3000:]
    table = pq.read_table(tmp_path / "items.parquet")
    assert table.column_names == FIELD_NAMES
    for name in FIELD_NAMES:
        expected = (pa.list_(pa.string()) if name in LIST_FIELDS else pa.int64() if name in INT_FIELDS
                    else pa.string())
        assert table.schema.field(name).type == expected, name
    assert len(result.items) == len({a.code for a in replica.site.listed_articles})
    assert table.to_pylist() == result.items


def test_rows_are_written_in_row_groups(tmp_path):
    items = [ArticleItem(url=f"https://www.alinea.id/x/y-b{n:08d}", article_id=f"b{n:08d}", authors=["A", "B"],
                         word_count=n, revision=1) for n in range(5)]
    path = tmp_path / "a.parquet"
    with path.open("wb") as handle:
        exporter = ParquetItemExporter(handle, fields_to_export=FIELD_NAMES)
        exporter.ROW_GROUP = 2
        exporter.start_exporting()
        for item in items:
            exporter.export_item(item)
        exporter.finish_exporting()
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 3
    rows = parquet.read().to_pylist()
    assert [row["word_count"] for row in rows] == list(range(5))
    assert rows[0]["authors"] == ["A", "B"] and rows[0]["title"] is None


def test_appending_to_a_parquet_file_is_refused_in_one_line(tmp_path):
    """``-o`` appends; appended Parquet bytes would hide the rows already in the file (readers see the last
    footer only), so the crawl refuses before it starts and leaves the file as it was."""
    path = tmp_path / "a.parquet"
    with path.open("wb") as handle:
        exporter = ParquetItemExporter(handle, fields_to_export=FIELD_NAMES)
        exporter.start_exporting()
        exporter.export_item(ArticleItem(url="https://www.alinea.id/x/y-b00000001", article_id="b00000001"))
        exporter.finish_exporting()
    before = path.read_bytes()
    argv = [*scrapy_command(tmp_path, {"base_url": closed_port_url()}, feeds=()), "-o", str(path)]
    result = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.rstrip().endswith(
        f"crawl failed: feed {str(path)!r}: a Parquet file cannot be appended to (-o); -O replaces it, or name a new file")
    assert path.read_bytes() == before
