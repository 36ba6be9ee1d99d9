"""An empty run writes valid empty files: CSV its header, JSON ``[]``, JSON Lines nothing, Parquet the schema.

Read back with the tools a user reaches for (pandas, pyarrow), after a real incremental crawl that found
nothing new — the run every schedule repeats.
"""
from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from alinea_crawler.items import FIELD_NAMES
from tests.crawl import run_crawl

FORMATS = ("csv", "json", "jsonl", "parquet")


@pytest.mark.timeout(300)
def test_an_incremental_run_with_nothing_new_writes_valid_empty_files(replica, tmp_path):
    settings = {"ALINEA_INCREMENTAL": "1", "ALINEA_STATE_PATH": str(tmp_path / "state.sqlite3")}
    first = run_crawl(tmp_path / "first", {"base_url": replica.url, "render": "never"}, settings)
    assert first.returncode == 0 and first.items, first.log[-3000:]

    feeds = tuple(f"again.{fmt}" for fmt in FORMATS)
    again = run_crawl(tmp_path / "again", {"base_url": replica.url, "render": "never"}, settings, feeds=feeds)
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats.get("item_scraped_count", 0) == 0 and again.stats["alinea/incremental/skipped"] > 0
    out = tmp_path / "again"

    csv = pd.read_csv(out / "again.csv")
    assert csv.empty and list(csv.columns) == FIELD_NAMES
    assert json.loads((out / "again.json").read_text(encoding="utf-8")) == []
    assert pd.read_json(out / "again.json").empty
    assert (out / "again.jsonl").read_bytes() == b""  # zero lines: a valid, empty JSON Lines file
    assert pd.read_json(out / "again.jsonl", lines=True).empty
    table = pq.read_table(out / "again.parquet")
    assert table.num_rows == 0 and table.schema.names == FIELD_NAMES
    assert str(table.schema.field("authors").type) == "list<element: string>"
    assert pd.read_parquet(out / "again.parquet").empty
    for fmt in FORMATS:
        assert f"again.{fmt}: 0 articles, complete" in again.log
