"""Deploy to a real Scrapyd, schedule with ``python -m alinea_crawler.schedule``, read the per-job exports.

One Scrapyd (free loopback port, own folder, the repo's scrapyd.conf with test
overrides, basic auth on) and one replica serve the whole module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from alinea_crawler.spiders.alinea import CONVENTIONAL_SITEMAPS
from tests.crawl import FAST, free_port, run_crawl
from tests.replica import Replica
from tests.scrapyd import PROJECT, SPIDER, Server, running_scrapyd

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with Replica(articles=24, seed=2021) as running:  # own replica: these tests publish articles
        yield running


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory) -> Iterator[Server]:
    with running_scrapyd(tmp_path_factory.mktemp("scrapyd")) as server:
        yield server


def job_settings(tmp: Path, **extra: str) -> list[str]:
    settings = {**FAST, "ALINEA_STATE_PATH": str(tmp / "state.sqlite3"),
                "ALINEA_EXPORT_DIR": str(tmp / "exports"), **extra}
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def schedule_job(scrapyd: Server, replica: Replica, tmp: Path, **extra: str) -> str:
    done = scrapyd.schedule("-a", f"base_url={replica.url}", "-a", "render=never", *job_settings(tmp, **extra))
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0 and last.startswith("scheduled: job "), done.stderr + done.stdout
    return last.split()[2]


def schedule_through_scrapyd(scrapyd: Server, replica: Replica, tmp: Path, **args: str) -> str:
    """A job as Scrapyd's own API (a dashboard, a curl) starts it: no setting beyond the paths."""
    settings = job_settings(tmp)[1::2]
    form = [("project", PROJECT), ("spider", SPIDER), ("base_url", replica.url), ("render", "never"),
            *args.items(), *(("setting", pair) for pair in settings)]
    return scrapyd.api.call("schedule.json", form=form)["jobid"]


def exported(tmp: Path, job: str) -> set[str]:
    lines = (tmp / "exports" / f"alinea-{job}.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["article_id"] for line in lines}


def run_job(scrapyd: Server, replica: Replica, tmp: Path) -> tuple[set[str], dict[str, int]]:
    """One incremental job to the end: the article ids of its export and the replica's requests by kind."""
    before = replica.stats()["by_kind"]
    job = schedule_job(scrapyd, replica, tmp)
    scrapyd.wait_finished(job)
    log = scrapyd.log(job)
    assert "Traceback" not in log, log[-3000:]
    lines = (tmp / "exports" / f"alinea-{job}.jsonl").read_text(encoding="utf-8").splitlines()
    csv_rows = (tmp / "exports" / f"alinea-{job}.csv").read_text(encoding="utf-8")
    ids = {json.loads(line)["article_id"] for line in lines}
    assert len(ids) == len(lines) and all(code in csv_rows for code in ids)
    after = replica.stats()["by_kind"]
    return ids, {kind: after[kind] - before.get(kind, 0) for kind in after}


def test_each_run_exports_only_what_is_new(scrapyd, replica, tmp_path):
    full = run_crawl(tmp_path / "full", {"base_url": replica.url, "render": "never"})  # plain crawl: a full export
    assert full.returncode == 0, full.log[-3000:]
    everything = set(full.by_id())
    assert {a.code for a in replica.site.listed_articles} <= everything

    first, _ = run_job(scrapyd, replica, tmp_path)
    assert first == everything

    second, requests = run_job(scrapyd, replica, tmp_path)
    sections = len(replica.site.sections)
    assert second == set()
    assert requests["article"] == 0 and requests["section"] == sections and requests["home"] == 1
    assert requests["more"] <= sections  # at most one load-more per section
    # home, indeks, rss, sections, /more, robots.txt; robots.txt read for sitemaps and the places tried for one
    assert sum(requests.values()) <= 3 + 2 * sections + 1 + 1 + len(CONVENTIONAL_SITEMAPS)

    published = set(replica.publish(3))
    third, _ = run_job(scrapyd, replica, tmp_path)
    assert third == published


def test_schedule_skips_while_a_job_is_active(scrapyd, replica, tmp_path):
    slow = schedule_job(scrapyd, replica, tmp_path, DOWNLOAD_DELAY="2", RANDOMIZE_DOWNLOAD_DELAY="0")
    try:
        again = scrapyd.schedule("-a", f"base_url={replica.url}")
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() in (f"skipped: job {slow} of {PROJECT}/{SPIDER} is still pending",
                                        f"skipped: job {slow} of {PROJECT}/{SPIDER} is still running")
        jobs = scrapyd.api.call("listjobs.json", query={"project": PROJECT})
        assert [j["id"] for j in jobs["pending"] + jobs["running"]] == [slow]
    finally:
        cancel = scrapyd.api.call("cancel.json", form=[("project", PROJECT), ("job", slow), ("signal", "KILL")])
        if cancel["prevstate"] == "running":  # a pending job is just dropped from the queue
            scrapyd.wait_finished(slow)


def test_schedule_errors_are_one_line(scrapyd):
    wrong_password = scrapyd.schedule(env={**scrapyd.env, "SCRAPYD_PASSWORD": "wrong"})
    assert wrong_password.returncode == 1
    assert wrong_password.stderr.strip().endswith("HTTP 401 Unauthorized (check SCRAPYD_USERNAME and SCRAPYD_PASSWORD)")

    unreachable = scrapyd.schedule("--url", f"http://127.0.0.1:{free_port()}")
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("error: Scrapyd at http://127.0.0.1:") and unreachable.stderr.count("\n") == 1

    unknown = scrapyd.schedule("--project", "no_such_project")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: Scrapyd listjobs.json: project 'no_such_project' not found\n"


def test_a_job_scheduled_through_scrapyd_itself_is_incremental(scrapyd, replica, tmp_path):
    first = schedule_through_scrapyd(scrapyd, replica, tmp_path)
    scrapyd.wait_finished(first)
    assert exported(tmp_path, first) == {a.code for a in replica.site.listed_articles}, scrapyd.log(first)[-3000:]
    second = schedule_through_scrapyd(scrapyd, replica, tmp_path)
    scrapyd.wait_finished(second)
    assert exported(tmp_path, second) == set()
    log = scrapyd.log(second)
    assert "incremental crawl:" in log and log.rstrip().endswith("crawl finished: ok")
    full = scrapyd.api.call("schedule.json", form=[
        ("project", PROJECT), ("spider", SPIDER), ("base_url", replica.url), ("render", "never"),
        *(("setting", pair) for pair in job_settings(tmp_path, ALINEA_INCREMENTAL="0")[1::2])])["jobid"]
    scrapyd.wait_finished(full)
    assert exported(tmp_path, full) == {a.code for a in replica.site.listed_articles}


def test_a_job_that_fails_says_why_in_its_log_and_the_next_schedule_reports_it(scrapyd, replica, tmp_path):
    bad = schedule_through_scrapyd(scrapyd, replica, tmp_path, max_pages="ten")
    scrapyd.wait_finished(bad)
    reason = "spider argument max_pages='ten': expected a positive integer"
    assert f"crawl failed: {reason}" in scrapyd.log(bad)

    done = scrapyd.schedule("-a", f"base_url={replica.url}", "-a", "render=never", *job_settings(tmp_path))
    assert done.returncode == 0, done.stderr
    previous, scheduled = done.stdout.splitlines()
    assert previous == f"previous job {bad}: failed: {reason}"
    good = scheduled.split()[2]
    scrapyd.wait_finished(good)

    again = scrapyd.schedule("-a", f"base_url={replica.url}", "-a", "render=never", *job_settings(tmp_path))
    assert again.stdout.splitlines()[0] == f"previous job {good}: finished ok", scrapyd.log(good)[-3000:]
    scrapyd.wait_finished(again.stdout.splitlines()[1].split()[2])


def test_a_job_logs_its_progress_and_writes_its_report_from_the_egg(scrapyd, replica, tmp_path):
    """The progress line is in the job's log; the report page (its template read from the zipped egg) is
    named by the job id."""
    job = schedule_job(scrapyd, replica, tmp_path, ALINEA_INCREMENTAL="0", LOGSTATS_INTERVAL="0.2",
                       ALINEA_REPORT_HTML=str(tmp_path / "report-%(job_id)s.html"))
    scrapyd.wait_finished(job)
    log, count = scrapyd.log(job), len(exported(tmp_path, job))
    assert count and f"INFO: articles {count:,} exported / " in log, log[-3000:]
    page = (tmp_path / f"report-{job}.html").read_text(encoding="utf-8")
    assert f"{count:,} articles" in page and page.count("<svg") >= 8
