"""The documentation holds together: every relative link and anchor in README.md and docs/*.md resolves,
and every command README.md shows runs as shown — against the replica, never the real site.

The commands are read from README.md's code blocks, not copied here: a command edited in the README is the
command tested. The set-up block (venv, pip, apt) is what CI itself runs (``.ci/run``).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.replica import build_site

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# The replica is local: no politeness delays (the README's demo says so itself).
REPLICA_ARGS = "-s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_CODE_SPAN = re.compile(r"`+[^`\n]*`+")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def github_slug(heading: str) -> str:
    """The anchor GitHub (and GitLab, Gitea) gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).replace("`", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a Markdown file offers; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_FENCE.sub("", path.read_text(encoding="utf-8"))):
        slug = github_slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(path: Path) -> list[str]:
    text = _CODE_SPAN.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    return [target for target in _LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def test_slug_rules():
    assert github_slug('JavaScript-filled lists ("Berita Lainnya")') == "javascript-filled-lists-berita-lainnya"
    assert github_slug("When the site's markup changes") == "when-the-sites-markup-changes"
    assert github_slug("Scheduled `scrapy crawl` with cron") == "scheduled-scrapy-crawl-with-cron"
    assert github_slug("`--public-record`") == "--public-record"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_anchors_resolve(doc: Path):
    broken = []
    for target in links(doc):
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
        elif anchor and dest.suffix != ".md":
            broken.append(f"{target}: an anchor into a file that is not Markdown")
    assert not broken, broken


def test_every_docs_page_is_reachable_from_the_index():
    index = ROOT / "docs" / "README.md"
    linked = {(index.parent / t.partition("#")[0]).resolve() for t in links(index)}
    assert {p.resolve() for p in DOCS[1:] if p != index} <= linked


def test_no_reference_to_files_outside_the_repository():
    """The docs state what users need; they do not send them to notes that are not in the repository."""
    for doc in DOCS:
        assert "SITE.md" not in doc.read_text(encoding="utf-8"), doc


# ---------------------------------------------------------------- the reference tables follow the code


def table_rows(doc: str) -> dict[str, str]:
    """``name -> second cell`` of every table row in docs/<doc> whose first cell is one code span."""
    found = {}
    for line in (ROOT / "docs" / doc).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 2 and re.fullmatch(r"`[^`]+`", cells[0]):
            found[cells[0].strip("`")] = cells[1]
    return found


def documented_default(cell: str, value) -> bool:
    """Whether a settings.md default cell states ``value`` (``unset`` for None, ``empty`` for "", the first code
    span for a scalar, ``name/name `share`, name `share``` for a dict, ``env `NAME`[, else <default>]`` for that
    variable's value, or the default when it is not set)."""
    spans = re.findall(r"`([^`]*)`", cell)
    if cell.startswith("env "):  # read from that environment variable (``env `NAME`, else <default>``)
        otherwise = cell.partition(", else ")[2]
        from_env = os.environ.get(spans[0])
        return value == from_env if from_env is not None or not otherwise else documented_default(otherwise, value)
    if value is None:
        return cell.startswith("unset")
    if value == "":
        return cell == "empty"
    if isinstance(value, dict):
        stated = {name: float(share) for names, share in re.findall(r"([\w/]+) `([^`]+)`", cell)
                  for name in names.split("/")}
        return stated == {name: float(share) for name, share in value.items()}
    if isinstance(value, bool) or isinstance(value, str):
        return bool(spans) and spans[0] == str(value)
    return bool(spans) and float(spans[0]) == value


def test_every_alinea_setting_has_its_row_and_default_in_settings_md():
    from alinea_crawler import settings
    from alinea_crawler.config import PREFIX, SETTINGS

    defined = set(SETTINGS) | {name for name in vars(settings) if name.startswith(PREFIX)}
    rows = {name: cell for name, cell in table_rows("settings.md").items() if name.startswith(PREFIX)}
    assert sorted(defined - set(rows)) == [], "ALINEA_* settings without a row in docs/settings.md"
    assert sorted(set(rows) - defined) == [], "rows in docs/settings.md for settings the code does not have"
    wrong = {name: (rows[name], getattr(settings, name, None)) for name in sorted(defined)
             if not documented_default(rows[name], getattr(settings, name, None))}
    assert not wrong, f"docs/settings.md default differs from alinea_crawler/settings.py: {wrong}"


def test_every_spider_argument_has_its_row_in_arguments_md():
    from dataclasses import fields

    from alinea_crawler.args import CrawlArgs

    arguments = {f.name for f in fields(CrawlArgs)}
    assert set(table_rows("arguments.md")) == arguments


def test_every_stats_key_is_in_stats_md():
    """Each ``alinea/…`` constant of stats.py is named in docs/stats.md (a template by its fixed part), and each
    key stats.md names belongs to one of them."""
    from alinea_crawler import stats

    keys = [value for value in vars(stats).values() if isinstance(value, str) and value.startswith("alinea/")]
    fixed = {key.partition("{")[0] for key in keys}
    text = (ROOT / "docs" / "stats.md").read_text(encoding="utf-8")
    assert sorted(f for f in fixed if f not in text) == []
    named = set(re.findall(r"`(alinea/[^`…]*)`", text))
    assert sorted(k for k in named if not any(k == f or (f.endswith("/") and k.startswith(f)) for f in fixed)) == []
    literal = re.compile(r"""_value\(\s*f?["']alinea/""")  # a key written out instead of a stats.py constant
    assert [str(p.relative_to(ROOT)) for p in (ROOT / "alinea_crawler").rglob("*.py")
            if literal.search(p.read_text(encoding="utf-8"))] == []


# ---------------------------------------------------------------- README's commands, run as shown


def readme_commands(heading: str) -> list[str]:
    """The command lines of the first ``sh`` code block under ``## heading`` in README.md (comments left out)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def as_run_here(command: str, site_url: str) -> str:
    """The command with this environment's venv, pointed at the replica instead of alinea.id."""
    command = command.replace(".venv/bin/", f"{VENV_BIN}/")
    if "base_url=" not in command:
        command = command.replace("scrapy crawl alinea", f"scrapy crawl alinea -a base_url={site_url}")
    return command.replace("scrapy crawl alinea", f"scrapy crawl alinea {REPLICA_ARGS}") \
        if "AUTOTHROTTLE_ENABLED" not in command else command


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "alinea_crawler.settings"}
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def rows(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.timeout(600)
def test_the_offline_demo_runs_as_shown(tmp_path):
    start, crawl, stop = readme_commands("Offline demo")
    assert start.endswith(" &") and stop == "kill %1"
    argv = shlex.split(start.removesuffix("&").replace(".venv/bin/python", sys.executable))
    port = argv[argv.index("--port") + 1]
    argv[argv.index("--port") + 1] = "0"  # any free port: tests run side by side
    replica = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = replica.stdout.readline().strip()  # printed once it listens
        assert url.startswith("http://127.0.0.1:")
        done = shell(as_run_here(crawl.replace(f"http://127.0.0.1:{port}", url), url), tmp_path)
    finally:
        replica.terminate()
        replica.wait(timeout=30)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.rstrip().endswith("crawl finished: ok")
    site = build_site(articles=int(argv[argv.index("--articles") + 1]))  # the model the replica serves
    for name in ("demo.csv", "demo.jsonl"):  # "every article of the replica"
        assert {row["article_id"] for row in rows(tmp_path / name)} == {a.code for a in site.articles}, name


@pytest.mark.timeout(900)
def test_the_everyday_commands_run_as_shown(replica, tmp_path):
    commands = readme_commands("Everyday commands")
    assert len(commands) == 7
    for command in commands:
        done = shell(as_run_here(command, replica.url), tmp_path)
        assert done.returncode == 0, (command, done.stderr[-3000:])
        if "scrapy crawl" in command:
            assert done.stderr.rstrip().endswith("crawl finished: ok"), command
        if "--help" in command:
            assert "-a sections=" in done.stdout and "docs/" in done.stdout
    listed = {a.code for a in replica.site.listed_articles}
    assert {row["article_id"] for row in rows(tmp_path / "articles.csv")} >= listed
    recent = rows(tmp_path / "recent.jsonl")
    assert recent and {row["section"] for row in recent} <= {"politik", "bisnis"}
    assert all(row["published_at"] >= "2026-11-01" for row in recent)
    assert rows(tmp_path / "latest.jsonl.gz")
    assert list((tmp_path / "exports").glob("alinea-*.csv")) and (tmp_path / "state.sqlite3").exists()
    archived = {row["article_id"] for row in rows(tmp_path / "articles.jsonl")}
    assert {row["article_id"] for row in rows(tmp_path / "rebuilt.jsonl")} == archived
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "card.md").read_text(encoding="utf-8").startswith("---\n")
