"""``python -m alinea_crawler.schedule``: start one incremental Scrapyd job, unless one is still pending or running.

Scrapyd has no periodic scheduler: run this from cron or a systemd timer.
It asks ``listjobs.json`` of every node first and skips (exit 0, one line)
while a job of the same spider is pending or running on any of them, so slow
runs never pile up. Otherwise
it prints how the previous job ended — ``previous job <id>: finished ok`` or
``previous job <id>: failed: <reason>``, read from the last line the crawl
command wrote to that job's log (``skipped: …`` for a job that found another
crawl running) — and calls ``schedule.json`` on the node running the fewest
jobs (``daemonstatus.json``). A Scrapyd job is incremental by default
(``-s ALINEA_INCREMENTAL=0`` for a full one). Exit 1 with one line when
Scrapyd is unreachable or answers an error; 2 for bad arguments.

Several nodes (a cluster sharing its state in PostgreSQL): ``--url`` repeated,
or ``SCRAPYD_URLS`` (URLs separated by commas or spaces). A node that does not
answer (or answers an error) is named in one line on stderr and left out;
exit 1 only when none answers. Two schedulers racing may still start two
jobs: the crawl lock lets one crawl and the other stops, ``skipped``.

Scrapyd URL(s) from ``--url``, else ``SCRAPYD_URLS``, else ``SCRAPYD_URL``;
HTTP basic auth (the same on every node) from ``SCRAPYD_USERNAME`` and
``SCRAPYD_PASSWORD``. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

DEFAULT_URL = "http://127.0.0.1:6800"
# Form fields schedule.json reads itself: a spider argument must not use these names.
RESERVED_ARGS = frozenset({"project", "spider", "setting", "jobid", "priority", "_version"})


class ScrapydError(Exception):
    """Scrapyd could not be reached or answered an error; the message is one line."""


class Scrapyd:
    def __init__(self, url: str, username: str = "", password: str = "", timeout: float = 30):
        self.url = url.rstrip("/")
        self.timeout = timeout
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"} if username else {}

    def call(self, endpoint: str, query: dict[str, str] | None = None,
             form: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        """GET (``query``) or POST (``form``) one JSON endpoint; ``ScrapydError`` unless status is ok."""
        url = f"{self.url}/{endpoint}" + (f"?{urlencode(query)}" if query else "")
        body = self.fetch(url, urlencode(form).encode() if form is not None else None)
        try:
            answer = json.loads(body)
        except ValueError:
            raise ScrapydError(f"Scrapyd {url} answered no JSON: {body[:80]!r}") from None
        if answer.get("status") != "ok":
            raise ScrapydError(f"Scrapyd {endpoint}: {answer.get('message', answer)}")
        return answer

    def fetch(self, url: str, data: bytes | None = None) -> bytes:
        request = urllib.request.Request(url, data=data, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            hint = " (check SCRAPYD_USERNAME and SCRAPYD_PASSWORD)" if error.code == 401 else ""
            raise ScrapydError(f"Scrapyd {url} answered HTTP {error.code} {error.reason}{hint}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ScrapydError(f"Scrapyd at {self.url} is unreachable: {reason}") from None

    def jobs(self, project: str, spider: str) -> dict[str, list[dict[str, Any]]]:
        """This spider's jobs by state (``pending``, ``running``, ``finished``)."""
        jobs = self.call("listjobs.json", query={"project": project})
        return {state: [job for job in jobs.get(state, []) if job.get("spider") == spider]
                for state in ("pending", "running", "finished")}

    def outcome(self, job: dict[str, Any]) -> str:
        """How a finished job ended, from the last line the crawl command logged."""
        if not job.get("log_url"):
            return "outcome unknown (Scrapyd keeps no log for it)"
        try:
            log = self.fetch(self.url + job["log_url"]).decode("utf-8", "replace")
        except ScrapydError as error:
            return f"outcome unknown ({error})"
        return job_outcome(log)

    def load(self) -> tuple[int, int]:
        """(running, pending) jobs of every project on this node."""
        status = self.call("daemonstatus.json")
        return int(status.get("running", 0)), int(status.get("pending", 0))

    def schedule(self, project: str, spider: str, args: dict[str, str], settings: dict[str, str]) -> str:
        form = [("project", project), ("spider", spider), *args.items()]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        return self.call("schedule.json", form=form)["jobid"]


def job_outcome(log: str) -> str:
    """``finished ok``, ``failed: <reason>`` or why neither can be told, from a job's log."""
    for line in reversed(log.splitlines()):
        _, ok, _ = line.partition("crawl finished: ok")
        if ok:
            return "finished ok"
        for verdict in ("failed", "skipped"):
            _, found, reason = line.partition(f"crawl {verdict}: ")
            if found:
                return f"{verdict}: {reason.strip()}"
    return "failed: the job ended without its last line (killed, or crashed; see its log)"


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m alinea_crawler.schedule", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", dest="urls", metavar="URL", action="append",
                        help="Scrapyd URL, repeatable: one per node (default: $SCRAPYD_URLS, $SCRAPYD_URL or "
                             f"{DEFAULT_URL})")
    parser.add_argument("--project", default="alinea_crawler")
    parser.add_argument("--spider", default="alinea")
    parser.add_argument("-a", dest="args", metavar="NAME=VALUE", type=_pair, action="append", default=[],
                        help="spider argument (repeatable)")
    parser.add_argument("-s", dest="settings", metavar="NAME=VALUE", type=_pair, action="append", default=[],
                        help="Scrapy setting for this job (repeatable)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per HTTP call")
    options = parser.parse_args(argv)
    options.urls = options.urls or default_urls()
    reserved = sorted(RESERVED_ARGS & {name for name, _ in options.args})
    if reserved:
        parser.error(f"-a {reserved[0]}=...: Scrapyd reserves this name; it cannot be a spider argument")
    return options


def default_urls() -> list[str]:
    listed = os.environ.get("SCRAPYD_URLS", "").replace(",", " ").split()
    return listed or [os.environ.get("SCRAPYD_URL") or DEFAULT_URL]


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    nodes = [Scrapyd(url, os.environ.get("SCRAPYD_USERNAME", ""), os.environ.get("SCRAPYD_PASSWORD", ""),
                     options.timeout) for url in options.urls]
    target = f"{options.project}/{options.spider}"
    answering: list[tuple[Scrapyd, dict[str, list[dict[str, Any]]], tuple[int, int]]] = []
    for node in nodes:
        try:
            jobs = node.jobs(options.project, options.spider)
            load = node.load()
        except ScrapydError as error:
            print(f"error: {error}" if len(nodes) == 1 else f"node {node.url} left out: {error}", file=sys.stderr)
            continue
        for state in ("running", "pending"):
            if jobs[state]:
                where = f" on {node.url}" if len(nodes) > 1 else ""
                print(f"skipped: job {jobs[state][0]['id']} of {target} is still {state}{where}")
                return 0
        answering.append((node, jobs, load))
    if not answering:
        if len(nodes) > 1:
            print(f"error: none of the {len(nodes)} Scrapyd nodes answered", file=sys.stderr)
        return 1
    try:
        report_previous(answering)
        node = min(answering, key=lambda answer: answer[2])[0]  # fewest running jobs, then fewest pending
        job_id = node.schedule(options.project, options.spider, dict(options.args), dict(options.settings))
    except ScrapydError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"scheduled: job {job_id} of {target} on {node.url}")
    return 0


def report_previous(answering) -> None:
    """``previous job <id>: <outcome>`` for the newest finished job on any node."""
    finished = [(job, node) for node, jobs, _ in answering for job in jobs["finished"]]
    if finished:
        job, node = max(finished, key=lambda pair: pair[0].get("end_time") or "")
        print(f"previous job {job['id']}: {node.outcome(job)}")


if __name__ == "__main__":
    sys.exit(main())
