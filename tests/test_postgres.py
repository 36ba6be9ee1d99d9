"""The real spider against a real PostgreSQL: the crawl lock, the database sink, faults, masking, migration.

One PostgreSQL server per test run (``postgres``, conftest.py), a fresh
database per test. Passwords appear in the URLs given to the crawler; no log
line, report or error may show them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from alinea_crawler.state import Exported, open_store
from tests.crawl import REPO_ROOT, free_port, run_crawl, scrapy_command
from tests.postgres import PASSWORD

pytestmark = pytest.mark.timeout(240)
SLOW = {"DOWNLOAD_DELAY": "0.3", "RANDOMIZE_DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


def incremental(state: str, **extra: str) -> dict[str, str]:
    return {"ALINEA_INCREMENTAL": "1", "ALINEA_STATE_URL": state, **extra}


def start_crawl(workdir: Path, replica, settings: dict[str, str], job: str) -> subprocess.Popen:
    """A crawl in the background, its log in ``workdir/log.txt``."""
    workdir.mkdir(parents=True, exist_ok=True)
    argv = scrapy_command(workdir, {"base_url": replica.url, "render": "never", "_job": job}, settings)
    return subprocess.Popen(argv, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "log.txt", "w"), env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_for(condition: Callable[[], bool], what: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout}s"
        time.sleep(0.1)


def query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def article_count(url: str) -> int:
    try:
        return query(url, "SELECT count(*) FROM articles")[0][0]
    except psycopg.errors.UndefinedTable:
        return 0


def assert_no_password(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
    assert any("***" in text for text in texts), "the URL is named, its password masked"


def crawl(workdir: Path, replica, settings: dict[str, str]):
    return run_crawl(workdir, {"base_url": replica.url, "render": "never"}, settings)


def test_the_lock_refuses_a_second_crawl_until_the_first_is_killed(state, replica, tmp_path):
    first = start_crawl(tmp_path / "first", replica, incremental(state, **SLOW), job="job-a")
    log = tmp_path / "first" / "log.txt"
    try:
        wait_for(lambda: "crawl lock of 127.0.0.1 taken" in log.read_text(), "lock taken", first)
        second = crawl(tmp_path / "second", replica, incremental(state))
        assert second.returncode == 3, second.log[-3000:]
        last = second.log.strip().splitlines()[-1]
        host = socket.gethostname()
        assert f"crawl skipped: another crawl of 127.0.0.1 is running (job job-a on {host} since 20" in last
        assert "Spider opened" not in second.log and second.report == {}, "stopped before fetching anything"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    third = crawl(tmp_path / "third", replica, incremental(state))  # the killed crawl's lock went with it
    assert third.returncode == 0, third.log[-3000:]
    assert third.stats["alinea/lock/acquired"] == 1


def test_no_database_setting_in_scrapy_cfg():
    assert "postgres" not in (REPO_ROOT / "scrapy.cfg").read_text().lower()


def test_postgresql_unreachable_at_start_fails_with_one_line_and_fetches_nothing(postgres, replica, tmp_path):
    before = replica.stats()["by_kind"]
    nowhere = f"postgresql://crawler:{PASSWORD}@127.0.0.1:{free_port()}/alinea"
    down = crawl(tmp_path / "down", replica, incremental(nowhere))
    wrong = postgres.url(postgres.new_database()).replace(PASSWORD, "not-the-password")
    refused = crawl(tmp_path / "refused", replica, {"ALINEA_DATABASE_URL": wrong})
    assert replica.stats()["by_kind"] == before, "nothing fetched"
    for result, url in ((down, nowhere), (refused, wrong)):
        assert result.returncode == 2, result.log[-3000:]
        errors = [line for line in result.log.splitlines() if "ERROR" in line or "Traceback" in line]
        assert len(errors) == 1, result.log[-3000:]
        shown = url.replace(url.split(":")[2].split("@")[0], "***")
        assert f"PostgreSQL at {shown} is unreachable: " in errors[0] and "crawl failed: " in errors[0]
        assert url.split(":")[2].split("@")[0] not in result.log
    assert_no_password(down.log, refused.log)


@pytest.mark.parametrize("state_in", ["sqlite", "postgresql"])
def test_database_lost_mid_crawl_names_what_is_missing_and_the_next_run_writes_it(state_in, postgres, replica,
                                                                                  tmp_path):
    url = postgres.url(postgres.new_database())
    state = url if state_in == "postgresql" else str(tmp_path / "state.sqlite3")
    settings = incremental(state, ALINEA_DATABASE_URL=url, ALINEA_DATABASE_BATCH="3", **SLOW)
    proc = start_crawl(tmp_path / "lost", replica, settings, job="job-lost")
    try:
        wait_for(lambda: article_count(url) >= 6, "rows in the database", proc)
        postgres.stop()
        proc.wait(timeout=120)
        before = replica.stats()["by_kind"]
        stopped = crawl(tmp_path / "stopped", replica, settings)  # the server still down: refused at start
        assert stopped.returncode == 2 and replica.stats()["by_kind"] == before, stopped.log[-3000:]
        assert "is unreachable: " in stopped.log.splitlines()[-1] and PASSWORD not in stopped.log
    finally:
        postgres.start()
    log = (tmp_path / "lost" / "log.txt").read_text()
    report = (tmp_path / "lost" / "report.json").read_text()
    assert proc.returncode == 1, log[-3000:]
    exported = {json.loads(line)["article_id"] for line in (tmp_path / "lost" / "items.jsonl").read_text().splitlines()}
    if state_in == "sqlite":  # the state still answers: the crawl goes on, the feed keeps every article
        assert exported >= {a.code for a in replica.site.listed_articles}
        assert "crawl failed: " in log.splitlines()[-1] and "did not reach the database at postgresql://" in log
    else:  # the state itself is gone: the crawl stops; what it had not exported is fetched again next run
        assert "crawl failed: incremental state: PostgreSQL at postgresql://" in log.splitlines()[-1], log[-2000:]
    written = {row[0] for row in query(url, "SELECT article_id FROM articles")}
    missing = exported - written
    assert written <= exported
    if state_in == "sqlite" or missing:  # a lost state drops later articles before the sink: maybe none missing
        assert missing, "some articles reached the feed but not the database"
        assert f"{len(missing)} article(s) did not reach the database" in log
        assert all(f"  {code} " in log for code in missing), "each one is named"
        assert json.loads(report)["stats"]["alinea/database/unwritten"] == len(missing)

    again = crawl(tmp_path / "again", replica, settings)
    assert again.returncode == 0, again.log[-3000:]
    assert missing <= {item["article_id"] for item in again.items}, "not recorded in the state: exported again"
    rows = query(url, "SELECT article_id, revision FROM articles")
    ids = {row[0] for row in rows}
    assert len(rows) == len(ids) and ids >= exported | {a.code for a in replica.site.listed_articles}
    assert {row[1] for row in rows} == {1}
    assert_no_password(log, report, again.log, json.dumps(again.report))


def test_the_sink_writes_typed_rows_with_full_text_search(pg_database, replica, tmp_path):
    result = crawl(tmp_path / "sink", replica, {"ALINEA_DATABASE_URL": pg_database, "ALINEA_DATABASE_BATCH": "7"})
    assert result.returncode == 0, result.log[-3000:]
    items = result.by_id()
    assert result.stats["alinea/database/rows"] == len(items) and result.stats["alinea/database/batches"] >= 2
    with psycopg.connect(pg_database) as conn:
        rows = conn.execute("SELECT article_id, authors, tags, published_at, word_count, job_id FROM articles").fetchall()
        assert {row[0] for row in rows} == set(items)
        for code, authors, tags, published, words, _ in rows:
            item = items[code]
            assert authors == item["authors"] and tags == item["tags"] and words == item["word_count"]
            assert published == datetime.fromisoformat(item["published_at"])  # the same instant
        assert len({row[5] for row in rows}) == 1 and rows[0][5], "the crawl's job id on each row"
        sample = next(iter(items.values()))
        word = max(sample["title"].split(), key=len).strip(".,:;!?\"'")
        found = conn.execute("SELECT article_id FROM articles WHERE search @@ plainto_tsquery('simple', %s)",
                             (word.upper(),)).fetchall()
        assert sample["article_id"] in {row[0] for row in found}
        assert conn.execute("SELECT count(*) FROM article_revisions").fetchone()[0] == len(items)
        answers = [conn.execute(sql).fetchall() for sql in documented_queries()]
        assert len(answers) == 4 and answers[0], "the newest articles per section"


def documented_queries() -> list[str]:
    """The example queries of docs/several-nodes.md (its SQL blocks that start with a comment)."""
    text = (REPO_ROOT / "docs" / "several-nodes.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```sql\n(.*?)```", text, re.S) if block.startswith("-- ")]


def test_migrate_copies_a_sqlite_state_into_postgresql(pg_database, tmp_path):
    sqlite = open_store(str(tmp_path / "state.sqlite3"))
    sqlite.record([Exported(f"bAAAAAAAA{n}", f"http://x/a-bAAAAAAAA{n}", "h" * 64, n, "2026-01-01T10:00:00+07:00")
                   for n in range(1, 4)])
    sqlite.close()

    def migrate() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "alinea_crawler.state", "migrate", str(tmp_path / "state.sqlite3"),
                               pg_database], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    first, second = migrate(), migrate()
    shown = pg_database.replace(PASSWORD, "***")
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"migrated 3 article(s) from {tmp_path / 'state.sqlite3'} to {shown} (0 already there)\n"
    assert second.stdout.startswith("migrated 0 article(s)") and second.stdout.endswith("(3 already there)\n")
    store = open_store(pg_database)
    assert store.latest("bAAAAAAAA2") == ("h" * 64, 2)
    assert store.published(["bAAAAAAAA1"]) == {"bAAAAAAAA1": "2026-01-01T10:00:00+07:00"}
    missing = subprocess.run([sys.executable, "-m", "alinea_crawler.state", "migrate", str(tmp_path / "none"),
                              pg_database], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr == f"error: no state file at {tmp_path / 'none'}\n"
