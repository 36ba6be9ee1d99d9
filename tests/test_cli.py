"""What a newcomer meets first: the version and help, the stdout feed (and a reader that goes away),
a mistyped section, the summary naming what a choice cost, and a failure that leads with its cause."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from alinea_crawler import __version__
from alinea_crawler.args import CrawlArgs
from tests.crawl import REPO_ROOT, closed_port_url, run_crawl, scrapy_command

pytestmark = pytest.mark.timeout(180)


def test_version_is_one_value_everywhere():
    out = subprocess.run([sys.executable, "-m", "alinea_crawler", "--version"], cwd=REPO_ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"alinea-crawler {__version__}"
    setup = subprocess.run([sys.executable, "setup.py", "--version"], cwd=REPO_ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert setup.strip().splitlines()[-1] == __version__
    from alinea_crawler import settings
    assert settings.USER_AGENT.startswith(f"alinea-crawler/{__version__} ")


@pytest.mark.parametrize("argv", [[sys.executable, "-m", "alinea_crawler", "--help"],
                                  [sys.executable, "-m", "scrapy", "crawl", "alinea", "-h"]],
                         ids=["python -m alinea_crawler --help", "scrapy crawl alinea -h"])
def test_help_lists_every_spider_argument_and_the_docs(argv):
    proc = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in CrawlArgs.__dataclass_fields__:
        assert f"  -a {name}=" in proc.stdout, name
    assert "docs/" in proc.stdout


def stdout_feed(tmp_path, base_url: str, output: list[str], reader: list[str] | None = None,
                settings: dict | None = None):
    """The crawl with its feed on stdout, read by ``reader`` through a real pipe (or captured whole)."""
    argv = [*scrapy_command(tmp_path, {"base_url": base_url, "render": "never"}, settings, feeds=()), *output]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if reader is None:
        proc = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, env=env, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr.decode()
    crawl = subprocess.Popen(argv, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    read = subprocess.run(reader, stdin=crawl.stdout, capture_output=True, timeout=120)
    crawl.stdout.close()  # only the reader holds the pipe's reading end
    stderr = crawl.stderr.read().decode()
    return crawl.wait(timeout=120), read.stdout, stderr


@pytest.mark.parametrize("output", [["-O", "-"], ["-o", "-"]])
def test_a_bare_dash_is_json_lines_on_stdout_without_warnings(replica, tmp_path, output):
    code, out, log = stdout_feed(tmp_path, replica.url, output)
    assert code == 0, log[-3000:]
    items = [json.loads(line) for line in out.decode().splitlines()]
    assert len(items) == len(replica.site.listed_articles)
    assert "WARNING" not in log and "overwrit" not in log
    assert f"file                 stdout: {len(items)} articles, complete" in log


def test_a_reader_that_closes_the_pipe_stops_the_crawl_cleanly(tmp_path):
    from tests.replica import Replica

    state = tmp_path / "state.sqlite3"
    with Replica(articles=60, seed=2021) as site:
        code, out, log = stdout_feed(tmp_path, site.url, ["-o", "-:jsonl"], reader=["head", "-c", "500"],
                                     settings={"ALINEA_INCREMENTAL": "1", "ALINEA_STATE_PATH": str(state)})
    assert len(out) == 500
    assert code == 1
    assert "Traceback" not in log and "BrokenPipeError" not in log and "Exception ignored" not in log
    cut = [line for line in log.splitlines() if "file                 stdout: closed by the reader after" in line]
    assert len(cut) == 1 and "complete" not in cut[0]
    n = int(cut[0].split("after ")[1].split()[0])
    assert 1 <= n < 60 and f"Stored jsonl feed ({n} items) in: stdout:" in log
    assert "verdict              FAILED: stdout: closed by the reader after" in log
    assert log.rstrip().splitlines()[-1].endswith(f"crawl failed: stdout: closed by the reader after {n} article"
                                                  + ("" if n == 1 else "s"))
    assert "Quality check failed" not in log  # the cause, not a paragraph about its consequences
    with sqlite3.connect(state) as db:  # only what reached the pipe counts as exported for the next run
        assert db.execute("SELECT count(*) FROM exported").fetchone()[0] == n


def test_an_unknown_section_stops_once_the_start_pages_are_read_with_one_line_and_exit_2(replica, tmp_path):
    result = run_crawl(tmp_path, {"base_url": replica.url, "sections": "politik,politk", "render": "never"})
    assert result.returncode == 2
    line = result.report["failed"]
    assert line.startswith("spider argument sections='politik,politk': unknown section politk; the site shows: ")
    shown = line.split("the site shows: ")[1].split(", ")
    assert {"bisnis", "gaya-hidup", "kolom", "peristiwa", "politik"} <= set(shown) and "politk" not in shown
    assert result.stats["finish_reason"] == "bad_argument"
    assert result.log.rstrip().splitlines()[-1].endswith("crawl failed: " + line)
    first_error = next(entry for entry in result.log.splitlines() if " ERROR: " in entry)
    assert first_error.endswith(line)  # the cause comes first
    assert "Quality check failed" not in result.log


def test_a_known_section_taken_from_article_urls_passes(replica, tmp_path):
    old = next(a.section for a in replica.site.listed_articles if a.section != a.listing_section)
    result = run_crawl(tmp_path, {"base_url": replica.url, "sections": old, "render": "never"},
                       {"ALINEA_MIN_ITEMS": "0"})
    assert result.stats["finish_reason"] == "finished", result.report.get("failed")


def test_the_summary_names_what_render_never_since_and_max_pages_cost(replica, tmp_path):
    listed = replica.site.listed_articles
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never", "since": listed[5].published_iso,
                                  "max_pages": "1"})
    assert result.returncode == 0, result.report.get("failed")
    unread = result.stats["alinea/render/js_list_unrendered"]
    assert (f"left out             {unread} JavaScript-filled lists not read (render=never): "
            "articles linked only there were not found") in result.log
    outside = result.report["articles"]["out_of_range"]
    assert f"left out             {outside} articles outside since={listed[5].published_iso}: not exported" \
        in result.log
    stopped = result.stats["alinea/more/stopped/max_pages"]
    assert f"left out             {stopped} listings stopped at max_pages=1: " in result.log


def test_the_summary_names_a_spent_render_budget(tmp_path):
    from tests.replica import Replica

    with Replica(articles=24, public_record=True) as site:  # "Berita Lainnya" never fills, even in a browser
        result = run_crawl(tmp_path, {"base_url": site.url}, {"ALINEA_RENDER_BUDGET": "1"})
    skipped = result.stats["alinea/render/skipped_budget"]
    assert skipped > 0 and result.stats["alinea/render/pages"] == 1
    assert (f"left out             {skipped} JavaScript-filled lists not read (render budget spent, see "
            "ALINEA_RENDER_BUDGET): articles linked only there were not found") in result.log


def test_an_unreachable_site_leads_with_its_cause_in_a_handful_of_lines(tmp_path):
    result = run_crawl(tmp_path, {"base_url": closed_port_url(), "render": "never"})
    assert result.returncode == 1
    lines = result.log.rstrip().splitlines()
    assert len(lines) <= 20, result.log
    assert not any(word in result.log for word in ("Enabled extensions", "Overridden settings", "Versions:",
                                                   "[Spidermon]", "Traceback"))
    first_error = next(line for line in lines if " ERROR: " in line)
    assert first_error.endswith(result.report["failed"]) and "site unreachable" in first_error


def test_component_lists_are_still_there_at_debug(tmp_path):
    result = run_crawl(tmp_path, {"base_url": closed_port_url(), "render": "never"}, {"LOG_LEVEL": "DEBUG"})
    assert "[scrapy.middleware] DEBUG: Enabled extensions:" in result.log
    assert "[scrapy.crawler] DEBUG: Overridden settings:" in result.log
