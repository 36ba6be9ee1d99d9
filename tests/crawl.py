"""Run the real ``scrapy crawl alinea`` in a subprocess and read back items and stats."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
# The replica is local: no politeness delays, generous concurrency.
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CrawlResult:
    workdir: Path
    returncode: int
    items: list[dict[str, Any]]
    report: dict[str, Any]
    log: str

    @property
    def stats(self) -> dict[str, Any]:
        return self.report.get("stats", {})

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {item["article_id"]: item for item in self.items}

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {item["url"]: item for item in self.items}


def scrapy_command(workdir: Path, spider_args: dict[str, Any], settings: dict[str, Any] | None = None,
                   feeds: tuple[str, ...] = ("items.jsonl",)) -> list[str]:
    argv = [sys.executable, "-m", "scrapy", "crawl", "alinea"]
    for name, value in spider_args.items():
        argv += ["-a", f"{name}={value}"]
    for name, value in {**FAST, "ALINEA_REPORT_FILE": str(workdir / "report.json"), **(settings or {})}.items():
        argv += ["-s", f"{name}={value}"]
    for feed in feeds:
        argv += ["-O", str(workdir / feed)]
    return argv


def closed_port_url() -> str:
    """The URL of a loopback port nobody listens on: a site that refuses every connection."""
    return f"http://127.0.0.1:{free_port()}"


def run_crawl(workdir: Path, spider_args: dict[str, Any], settings: dict[str, Any] | None = None,
              feeds: tuple[str, ...] = ("items.jsonl",), timeout: float = 300,
              env: dict[str, str] | None = None) -> CrawlResult:
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        scrapy_command(workdir, spider_args, settings, feeds),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    items_path = workdir / "items.jsonl"
    items = [json.loads(line) for line in items_path.read_text(encoding="utf-8").splitlines()] if items_path.exists() else []
    report_path = workdir / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    return CrawlResult(workdir, proc.returncode, items, report, proc.stderr + proc.stdout)


def plain_expectation(site, article, base_url):
    """What a crawl without a browser must produce: JS-filled lists stay unseen."""
    expected = site.expected_item(article, base_url)
    if article.related_mode == "js":
        expected["related_urls"] = [base_url + site.by_code[code].path for code in article.baca_juga]
    return expected
