"""Revisions: incremental runs fetch recent articles again and export only the edited ones, revision + 1."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from scrapy.utils.test import get_crawler

from alinea_crawler.incremental import RevisionPipeline
from alinea_crawler.state.sqlite import SqliteStore
from alinea_crawler.items import ArticleItem
from alinea_crawler.pipelines import content_hash
from tests.crawl import run_crawl
from tests.replica import Replica

REVISITED = 5  # the window covers the 5 newest articles
EDITED = 8  # the 8 newest are edited: 5 inside the window, 3 outside


def revisit_days(site, newest: int) -> float:
    """A window that covers exactly the ``newest`` newest articles of the replica, from now."""
    listed = site.listed_articles
    cutoff = listed[newest - 1].published - (listed[newest - 1].published - listed[newest].published) / 2
    return (datetime.now(timezone.utc) - cutoff).total_seconds() / 86400


def test_edited_articles_are_exported_again_with_the_next_revision(tmp_path):
    with Replica(articles=24, seed=2021) as replica:
        settings = {"ALINEA_INCREMENTAL": "1", "ALINEA_STATE_PATH": str(tmp_path / "state.sqlite3"),
                    "ALINEA_REVISIT_DAYS": revisit_days(replica.site, REVISITED)}

        def run(name):
            return run_crawl(tmp_path / name, {"base_url": replica.url, "render": "never"}, settings)

        first = run("first")
        assert first.returncode == 0, first.log[-3000:]
        assert {item["revision"] for item in first.items} == {1}
        edited = replica.edit(EDITED)
        second = run("second")
        third = run("third")

    newest = [a.code for a in replica.site.listed_articles[:REVISITED]]
    assert set(newest) <= set(edited)
    assert second.returncode == 0, second.log[-3000:]
    assert sorted(item["article_id"] for item in second.items) == sorted(newest)
    before = first.by_id()
    for item in second.items:
        assert item["revision"] == 2
        assert item["content_hash"] != before[item["article_id"]]["content_hash"]
        assert item["content_hash"] == content_hash(item["title"], item["lead"], item["body"])
        assert item["body"].startswith(before[item["article_id"]]["body"])
    assert second.stats["alinea/incremental/revisited"] == REVISITED
    assert second.stats["alinea/incremental/revised"] == REVISITED
    assert "alinea/incremental/unchanged" not in second.stats

    assert third.returncode == 0, third.log[-3000:]
    assert third.items == []
    assert third.stats["alinea/incremental/unchanged"] == REVISITED
    assert third.stats["alinea/articles/unchanged"] == REVISITED, "the ledger settles them as unchanged"
    assert third.stats["alinea/articles/unaccounted"] == 0
    assert "Quality check failed" not in third.log
    assert "article unchanged" not in third.log, "an unchanged article is logged at DEBUG only"

    store = sqlite3.connect(tmp_path / "state.sqlite3")
    rows = dict(store.execute("SELECT article_id, revision FROM exported"))
    assert {code: rows[code] for code in newest} == dict.fromkeys(newest, 2)
    assert sum(revision == 1 for revision in rows.values()) == len(rows) - REVISITED


def test_a_state_file_from_before_revisions_is_migrated_in_place(tmp_path):
    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)
    with old:
        old.execute("CREATE TABLE exported (article_id TEXT PRIMARY KEY, url TEXT NOT NULL, exported_at TEXT NOT NULL)")
        old.execute("INSERT INTO exported VALUES ('bAAAAAAAA1', 'http://x/a-bAAAAAAAA1', '2026-01-01T00:00:00+00:00')")
    old.close()
    store = SqliteStore(path)
    columns = [row[1] for row in store.conn.execute("PRAGMA table_info(exported)")]
    assert columns == ["article_id", "url", "exported_at", "content_hash", "revision", "published_at"]
    assert store.known(["bAAAAAAAA1"]) == {"bAAAAAAAA1"}
    assert store.latest("bAAAAAAAA1") == (None, 1)
    assert store.published(["bAAAAAAAA1"]) == {"bAAAAAAAA1": None}
    # its next export has no hash to compare with: it becomes the baseline, revision 1
    crawler = get_crawler(settings_dict={"ALINEA_INCREMENTAL": True, "ALINEA_STATE_PATH": str(path)})
    item = ArticleItem(url="http://x/a-bAAAAAAAA1", article_id="bAAAAAAAA1", content_hash="f" * 64, revision=1)
    assert RevisionPipeline.from_crawler(crawler).process_item(item).revision == 1


def test_content_hash_ignores_spacing_but_not_words_or_fields():
    base = content_hash("Judul", "Lead.", "Satu dua.\n\nTiga.")
    assert content_hash(" Judul ", "Lead.", "Satu  dua.\n\nTiga.\u00a0") == base
    assert content_hash("Judul", "Lead.", "Satu dua.\n\nEmpat.") != base
    assert content_hash("Judul Lead.", None, "Satu dua.\n\nTiga.") != base
    assert len(base) == 64
