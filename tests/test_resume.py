"""Stop a crawl with a real signal, start it again with the same JOBDIR: every article exactly once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.crawl import REPO_ROOT, scrapy_command
from tests.replica import Replica

SLOW = {"DOWNLOAD_DELAY": "0.15", "RANDOMIZE_DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


@pytest.fixture(scope="module")
def site():
    with Replica(articles=40, seed=9) as r:
        yield r


def start(workdir: Path, replica: Replica, feed: str, jobdir: Path) -> subprocess.Popen:
    argv = scrapy_command(workdir, {"base_url": replica.url, "render": "never"},
                          {**SLOW, "JOBDIR": str(jobdir)}, feeds=(feed,))
    return subprocess.Popen(argv, cwd=REPO_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lines_of(path: Path) -> list[dict]:
    """Every line parses, the last one included."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert not text or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def kill_after_items(proc: subprocess.Popen, feed: Path, sig: signal.Signals, items: int = 5) -> None:
    while len(lines_of(feed)) < items:
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        time.sleep(0.05)
    proc.send_signal(sig)
    proc.wait(timeout=60)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stopped_crawl_resumes_with_every_article_exactly_once(site, tmp_path, sig):
    jobdir = tmp_path / "job"
    first = start(tmp_path, site, "run1.jsonl", jobdir)
    kill_after_items(first, tmp_path / "run1.jsonl", sig)
    run1 = lines_of(tmp_path / "run1.jsonl")
    assert 0 < len(run1) < len(site.site.listed_articles), "the stop did not land mid-crawl"

    second = start(tmp_path, site, "run2.jsonl", jobdir)
    assert second.wait(timeout=180) == 0
    ids = [item["article_id"] for item in run1 + lines_of(tmp_path / "run2.jsonl")]
    assert sorted(ids) == sorted(a.code for a in site.site.listed_articles)


@pytest.mark.timeout(120)
def test_jsonl_parses_to_the_last_line_after_sigkill(site, tmp_path):
    proc = start(tmp_path, site, "items.jsonl", tmp_path / "job")
    kill_after_items(proc, tmp_path / "items.jsonl", signal.SIGKILL, items=3)
    assert len(lines_of(tmp_path / "items.jsonl")) >= 3
