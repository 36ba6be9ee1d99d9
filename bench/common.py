"""Shared helpers of the benchmark scripts: replica, crawl runner, tables, results.

Scripts run from the repository root as ``.venv/bin/python -m bench.<name>``;
they are never part of the test suite.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
# A script run as a file (python bench/x.py) has bench/ first on sys.path, where
# bench/incremental.py would shadow the "incremental" package that Twisted imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.crawl import scrapy_command  # noqa: E402
from tests.replica import Replica  # noqa: E402

__all__ = ["REPO", "RESULTS", "Replica", "BENCH_PROFILE", "CrawlRun", "run_crawl", "machine",
           "print_table", "write_result", "median"]

# `scrapy bench` runs with Scrapy's defaults (outside a project: no AutoThrottle,
# no delay, CONCURRENT_REQUESTS 16, CONCURRENT_REQUESTS_PER_DOMAIN 8) plus
# LOGSTATS_INTERVAL 1 and CLOSESPIDER_TIMEOUT 10. Our crawl gets the same
# concurrency with politeness off; robots.txt stays obeyed (one request).
BENCH_PROFILE = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOGSTATS_INTERVAL": "1",
    "LOG_LEVEL": "INFO",
}
# Listings and articles only: no related hops, no browser.
BENCH_ARGS = {"render": "never", "related_depth": "0"}


@dataclass
class CrawlRun:
    returncode: int
    wall_s: float
    peak_rss_mb: float | None  # the scrapy process, sampled every 50 ms
    stats: dict[str, Any]
    items: int
    log: str

    @property
    def pages(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def elapsed_s(self) -> float:
        """Spider open to close, as Scrapy's own stats measure it."""
        return float(self.stats.get("elapsed_time_seconds") or self.wall_s)


def run_crawl(base_url: str, settings: dict[str, Any] | None = None, spider_args: dict[str, Any] | None = None,
              sample_rss: bool = False, timeout: float = 280, repo: Path = REPO) -> CrawlRun:
    """``scrapy crawl alinea`` of ``repo``'s code against ``base_url`` in a subprocess, JSON lines to a temp dir."""
    with tempfile.TemporaryDirectory(prefix="alinea-bench-") as tmp:
        workdir = Path(tmp)
        argv = scrapy_command(workdir, {"base_url": base_url, **BENCH_ARGS, **(spider_args or {})},
                              {**BENCH_PROFILE, **(settings or {})})
        run = _run_measured(argv, sample_rss, timeout, cwd=repo)
        report_path, items_path = workdir / "report.json", workdir / "items.jsonl"
        stats = json.loads(report_path.read_text())["stats"] if report_path.exists() else {}
        items = sum(1 for _ in items_path.open()) if items_path.exists() else 0
        return CrawlRun(run[0], run[1], run[2], stats, items, run[3])


def _run_measured(argv: list[str], sample_rss: bool, timeout: float, cwd: Path = REPO):
    """(returncode, wall seconds, peak RSS MB or None, stderr+stdout) of one child process."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
        peak = None
        if sample_rss:
            import psutil

            child = psutil.Process(proc.pid)
            peak = 0
            while proc.poll() is None and time.perf_counter() - start < timeout:
                try:
                    peak = max(peak, child.memory_info().rss)
                except psutil.NoSuchProcess:
                    break
                time.sleep(0.05)
        try:
            proc.wait(timeout=max(1.0, timeout - (time.perf_counter() - start)))
        except subprocess.TimeoutExpired:
            proc.kill()  # no crawl left running behind a failed benchmark
            proc.wait()
            raise
        wall = time.perf_counter() - start
        log.seek(0)
        return proc.returncode, wall, peak / 2**20 if peak is not None else None, log.read()


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": str(os.cpu_count()), "python": platform.python_version(), "cpu": cpu,
            "loadavg_1m_when_written": f"{os.getloadavg()[0]:.2f}"}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    cells = [[_fmt(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.rjust(w) if n and i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return "-" if value is None else str(value)


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": machine(), **data}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {path.relative_to(REPO)}")
    return path
