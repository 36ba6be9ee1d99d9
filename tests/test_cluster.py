"""Two real Scrapyd nodes, one PostgreSQL: shared state, one crawl at a time, the dataset in the database.

Each node has its own folder (eggs, logs, per-job exports) and the project
deployed to it; both get ``PGPASSWORD`` in their environment, so the URLs in
the job settings carry no password. The replica is this module's own: the
tests edit its articles.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from alinea_crawler.schedule import job_outcome
from tests.crawl import FAST, REPO_ROOT, free_port
from tests.postgres import PASSWORD
from tests.replica import Replica
from tests.scrapyd import PROJECT, Server, running_scrapyd
from tests.test_revisions import revisit_days

pytestmark = pytest.mark.timeout(300)
EDITED = 4  # articles edited on the replica; the revisit window covers exactly these
SLOW = {"DOWNLOAD_DELAY": "0.3", "RANDOMIZE_DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with Replica(articles=24, seed=2021) as running:
        yield running


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, postgres) -> Iterator[tuple[Server, Server]]:
    env = {"PGPASSWORD": PASSWORD}
    with running_scrapyd(tmp_path_factory.mktemp("node_a"), env) as a, \
            running_scrapyd(tmp_path_factory.mktemp("node_b"), env) as b:
        yield a, b


def schedule(urls: list[str], settings: dict[str, str], replica: Replica, env: dict[str, str]) -> subprocess.Popen:
    argv = [sys.executable, "-m", "alinea_crawler.schedule", *(a for url in urls for a in ("--url", url)),
            "-a", f"base_url={replica.url}", "-a", "render=never",
            *(a for name, value in settings.items() for a in ("-s", f"{name}={value}"))]
    return subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Cluster:
    def __init__(self, nodes: tuple[Server, Server], database: str, replica: Replica, tmp: Path):
        self.nodes, self.database, self.replica, self.tmp = nodes, database, replica, tmp
        self.settings = {**FAST, "ALINEA_STATE_URL": database, "ALINEA_DATABASE_URL": database,
                         "ALINEA_REVISIT_DAYS": str(revisit_days(replica.site, EDITED))}

    def node(self, url: str) -> Server:
        return next(node for node in self.nodes if node.url == url)

    def start(self, node: Server, **extra: str) -> str:
        """A job on ``node`` (the scheduler given only that node); its id."""
        settings = {**self.settings, "ALINEA_EXPORT_DIR": str(self.tmp / node.url.rsplit(":", 1)[1]), **extra}
        done = schedule([node.url], settings, self.replica, node.env)
        out, err = done.communicate(timeout=60)
        assert done.returncode == 0 and out.splitlines()[-1].startswith("scheduled: job "), out + err
        return out.splitlines()[-1].split()[2]

    def run(self, node: Server) -> tuple[list[dict], dict[str, int]]:
        """A job on ``node`` to its end: the items of its export, the replica's requests by kind."""
        before = self.replica.stats()["by_kind"]
        job = self.start(node)
        node.wait_finished(job)
        log = node.log(job)
        assert log.rstrip().endswith("crawl finished: ok"), log[-3000:]
        assert PASSWORD not in log
        after = self.replica.stats()["by_kind"]
        return self.items(node, job), {kind: after[kind] - before.get(kind, 0) for kind in after}

    def items(self, node: Server, job: str) -> list[dict]:
        path = self.tmp / node.url.rsplit(":", 1)[1] / f"alinea-{job}.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def count(self) -> int:
        """Rows in ``articles`` (0 before the table exists)."""
        exists = self.rows("SELECT to_regclass('articles') IS NOT NULL")[0][0]
        return self.rows("SELECT count(*) FROM articles")[0][0] if exists else 0

    def rows(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.database, password=PASSWORD) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture
def cluster(nodes, postgres, replica, tmp_path) -> Cluster:
    return Cluster(nodes, postgres.url(postgres.new_database(), password=False), replica, tmp_path)


def test_a_job_on_either_node_continues_from_the_shared_state(cluster, replica):
    a, b = cluster.nodes
    first, _ = cluster.run(a)
    everything = {item["article_id"] for item in first}
    assert {x.code for x in replica.site.listed_articles} <= everything
    assert sorted(row[0] for row in cluster.rows("SELECT article_id FROM articles")) == sorted(everything)

    second, requests = cluster.run(b)
    sections = len(replica.site.sections)
    assert second == []
    assert requests["article"] == EDITED, "only the revisit window's articles are fetched again"
    assert requests["section"] == sections and requests["more"] <= sections  # about one request per listing page

    edited = set(replica.edit(EDITED))
    third, _ = cluster.run(a)
    assert {item["article_id"] for item in third} == edited
    assert {item["revision"] for item in third} == {2}
    assert dict(cluster.rows("SELECT article_id, revision FROM articles WHERE revision > 1")) == dict.fromkeys(edited, 2)
    revisions = cluster.rows("SELECT article_id, array_agg(revision ORDER BY revision) FROM article_revisions"
                             " GROUP BY article_id")
    assert {code: revs for code, revs in revisions if len(revs) > 1} == {code: [1, 2] for code in edited}
    assert len(revisions) == len(everything)


def test_a_crawl_killed_on_one_node_is_completed_by_the_other(cluster, replica):
    a, b = cluster.nodes
    killed = cluster.start(a, ALINEA_DATABASE_BATCH="3", **SLOW)
    deadline = time.monotonic() + 120
    while cluster.count() < 5:  # some articles written, most not yet
        assert time.monotonic() < deadline, a.log(killed)[-3000:]
        time.sleep(0.2)
    a.api.call("cancel.json", form=[("project", PROJECT), ("job", killed), ("signal", "KILL")])
    a.wait_finished(killed)
    assert "crawl finished" not in a.log(killed), "killed mid-way"
    rest, _ = cluster.run(b)
    rows = cluster.rows("SELECT article_id FROM articles")
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)) and set(ids) >= {x.code for x in replica.site.listed_articles}
    assert set(ids) == {item["article_id"] for item in cluster.items(a, killed) + rest}


def assert_one_crawl(cluster: Cluster, jobs: list[tuple[str, Server]]) -> None:
    """Of the jobs started, one crawled; any other stopped at the lock, naming the one that crawls."""
    for job, node in jobs:
        node.wait_finished(job, timeout=180)
    logs = {job: node.log(job).rstrip().splitlines()[-1] for job, node in jobs}
    crawled = [job for job, last in logs.items() if last.endswith("crawl finished: ok")]
    assert len(crawled) == 1, logs
    for job in set(logs) - set(crawled):
        assert (f"crawl skipped: another crawl of 127.0.0.1 is running (job {crawled[0]} on {socket.gethostname()}"
                f" since ") in logs[job], logs
    assert cluster.rows("SELECT DISTINCT job_id FROM articles") == [(crawled[0],)]


def test_two_schedulers_at_once_start_one_crawl(cluster, replica):
    a, b = cluster.nodes
    dead = f"http://127.0.0.1:{free_port()}"
    settings = {**cluster.settings, **SLOW, "ALINEA_EXPORT_DIR": str(cluster.tmp / "exports")}
    racing = [schedule([dead, a.url, b.url], settings, replica, a.env) for _ in range(2)]
    jobs = []
    for proc in racing:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, out + err
        assert err == f"node {dead} left out: Scrapyd at {dead} is unreachable: [Errno 111] Connection refused\n"
        words = out.splitlines()[-1].split()  # scheduled: job <id> of <project/spider> on <url>, or skipped: …
        if words[0] == "scheduled:":
            jobs.append((words[2], cluster.node(words[-1])))
        else:  # the other scheduler's job was already there
            assert out.startswith("skipped: job ") and (" is still pending on " in out or " is still running on " in out)
    assert_one_crawl(cluster, jobs)


def test_jobs_started_on_both_nodes_at_once_crawl_once(cluster, replica):
    """What two schedulers that both found no job running would do: the crawl lock settles it."""
    settings = {**cluster.settings, **SLOW, "ALINEA_EXPORT_DIR": str(cluster.tmp / "exports")}
    form = [("project", PROJECT), ("spider", "alinea"), ("base_url", replica.url), ("render", "never"),
            *(("setting", f"{name}={value}") for name, value in settings.items())]
    jobs = [(node.api.call("schedule.json", form=form)["jobid"], node) for node in cluster.nodes]
    assert_one_crawl(cluster, jobs)


def test_the_previous_job_outcome_tells_skipped_from_failed():
    skipped = "… INFO: Spider opened\n… ERROR: crawl skipped: another crawl of www.alinea.id is running (job j1 on n1 since t)\n"
    assert job_outcome(skipped) == "skipped: another crawl of www.alinea.id is running (job j1 on n1 since t)"
    assert job_outcome("… ERROR: crawl failed: 3 article(s) did not reach the database\n").startswith("failed: 3 article")
