"""WARC capture and re-extraction from it: the real spider, the replica stopped before the replay."""

from __future__ import annotations

import csv
import gzip
import os
import signal
import subprocess
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from alinea_crawler.rendering import find_browser
from alinea_crawler.warc.records import NotPlain, plain_records, record_starts, scan, warcio_records
from alinea_crawler.warc.replay import WarcArchive
from alinea_crawler.warc.workers import ExtractionPool, Part, merged
from tests.crawl import REPO_ROOT, run_crawl, scrapy_command
from tests.replica import Replica

pytestmark = pytest.mark.skipif(find_browser(None)[0] is None, reason="needs Chromium: apt-get install chromium")
MAX_BYTES = 50_000  # small files: the capture rolls over several times


class CountingHandler(BaseHTTPRequestHandler):
    """Stands in for publicsuffix.org: counts every request it gets."""

    hits: list[str] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"com\n")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def suffix_list_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/public_suffix_list.dat", CountingHandler.hits
    server.shutdown()


@pytest.fixture(scope="module")
def captured(tmp_path_factory, suffix_list_server):
    """A render=auto crawl archived to WARC; the replica is gone once the fixture returns."""
    workdir = tmp_path_factory.mktemp("capture")
    suffix_url, _ = suffix_list_server
    with Replica(articles=24, seed=2021) as replica:
        result = run_crawl(workdir, {"base_url": replica.url, "render": "auto"},
                           {"ALINEA_WARC_DIR": str(workdir / "warc"), "ALINEA_WARC_MAX_BYTES": MAX_BYTES},
                           env={"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": suffix_url,
                                "XDG_CACHE_HOME": str(workdir / "cache")})
        site = replica.site
    assert result.returncode == 0, result.log[-3000:]
    assert {item["article_id"] for item in result.items} == {a.code for a in site.articles}
    return result


def records(path: Path):
    with path.open("rb") as handle:
        yield from ArchiveIterator(handle)


def member_ends(data: bytes) -> list[int]:
    """Where each gzip member of a file ends."""
    ends, rest = [], data
    while rest:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        inflater.decompress(rest)
        rest = inflater.unused_data
        ends.append(len(data) - len(rest))
    return ends


def without_scraped_at(items):
    return {item["article_id"]: {k: v for k, v in item.items() if k != "scraped_at"} for item in items}


def test_every_page_is_archived_as_request_and_response_records(captured):
    files = sorted((captured.workdir / "warc").iterdir())
    job = files[0].name.split("-")[1]
    assert len(files) > 1, "the capture rolls over at ALINEA_WARC_MAX_BYTES"
    assert [f.name for f in files] == [f"alinea-{job}-{n:05d}.warc.gz" for n in range(1, len(files) + 1)]
    all_records = [record for path in files for record in records(path)]
    for path in files:
        data = path.read_bytes()
        assert len(member_ends(data)) == sum(1 for _ in records(path)), "one gzip member per record"
    by_type = {kind: [r for r in all_records if r.rec_type == kind] for kind in ("warcinfo", "request", "response")}
    assert len(by_type["warcinfo"]) == len(files)
    assert len(by_type["request"]) == len(by_type["response"]) > len(captured.items)
    for record in by_type["request"] + by_type["response"]:
        assert record.rec_headers.get_header("WARC-Target-URI").startswith("http://127.0.0.1:")
        assert record.rec_headers.get_header("WARC-Date")
        assert record.rec_headers.protocol == "WARC/1.1"
    marks = [r.rec_headers.get_header("WARC-Alinea-Rendered") for r in by_type["response"]]
    assert marks.count("1") == captured.stats["alinea/render/pages"] == 1
    assert marks.count("xhr") >= 1, "the answer that taught the related-list endpoint"
    assert captured.stats["alinea/warc/files"] == len(files)


def test_an_article_url_spelt_otherwise_is_answered_by_the_archived_spelling(captured):
    from scrapy import Request

    from alinea_crawler.urls import article_id
    from alinea_crawler.warc import warc_paths
    from alinea_crawler.warc.replay import request_key

    archive = WarcArchive.load(warc_paths(str(captured.workdir / "warc")))
    item = captured.items[0]
    archived = archive.answer(Request(item["url"], meta={"kind": "article"}))
    assert archived is not None
    code = item["article_id"]
    other_spelling = item["url"].rsplit("/", 1)[0] + f"/judul-yang-diubah-{code}"
    assert article_id(other_spelling) == code and request_key(Request(other_spelling)) not in archive.pages
    assert archive.answer(Request(other_spelling, meta={"kind": "article"})) == archived
    assert archive.answer(Request(other_spelling, meta={"kind": "more"})) is None  # only article pages
    unknown = item["url"].rsplit("/", 1)[0] + "/judul-lain-bZZZZZZZZ"
    assert archive.answer(Request(unknown, meta={"kind": "article"})) is None


def test_post_bodies_are_archived_for_the_replay(captured):
    bodies = []
    for path in sorted((captured.workdir / "warc").iterdir()):
        for record in records(path):
            if record.rec_type == "request" and record.http_headers.protocol == "POST":
                bodies.append(record.raw_stream.read())
    assert bodies and all(b"_token=" in body and b"categorynext=" in body for body in bodies)


def test_no_public_suffix_list_download_nor_cache(captured, suffix_list_server):
    _, hits = suffix_list_server
    assert captured.stats.get("downloader/request_count", 0) > 0
    assert hits == [], "tldextract fetched the Public Suffix List"
    assert not (captured.workdir / "cache" / "python-tldextract").exists()


def test_reextraction_with_the_replica_stopped_gives_the_same_items(captured, tmp_path):
    state = tmp_path / "state.sqlite3"
    # run as a Scrapyd job (_job), which is incremental by default unless it re-extracts
    result = run_crawl(tmp_path, {"from_warc": str(captured.workdir / "warc"), "_job": "replay"},
                       {"ALINEA_STATE_PATH": str(state)})
    assert result.returncode == 0, result.log[-3000:]
    assert without_scraped_at(result.items) == without_scraped_at(captured.items)
    stats = result.stats
    assert stats["alinea/warc/replayed"] == stats["downloader/response_count"]
    assert "alinea/warc/missing" not in stats
    assert not any(key.startswith(("downloader/exception", "playwright/")) for key in stats), "network or browser"
    assert stats["robotstxt/response_count"] == 1, "robots.txt comes from the archive too"
    assert not state.exists(), "incremental state untouched"


def test_a_warc_cut_mid_record_still_gives_every_page_before_the_cut(captured, tmp_path):
    first = sorted((captured.workdir / "warc").iterdir())[0]
    data = first.read_bytes()
    cut = tmp_path / "archive" / first.name
    cut.parent.mkdir()
    ends = member_ends(data)
    start, end = ends[len(ends) * 2 // 3 - 1], ends[len(ends) * 2 // 3]
    cut.write_bytes(data[: (start + end) // 2])  # a kill -9 half-way through a record
    result = run_crawl(tmp_path, {"from_warc": str(cut.parent / "*.warc.gz")})
    assert "WARC file ends mid-record" in result.log and str(cut) in result.log
    assert result.stats["alinea/warc/truncated_files"] == 1
    assert result.stats["alinea/warc/missing"] >= 1
    original = without_scraped_at(captured.items)
    replayed = without_scraped_at(result.items)
    assert replayed, "pages before the cut are re-extracted"
    for code, item in replayed.items():
        # a JavaScript list's endpoint answer may lie past the cut: its links are then missing, nothing else
        assert set(item["related_urls"]) <= set(original[code]["related_urls"])
        assert {**item, "related_urls": None} == {**original[code], "related_urls": None}
    assert len(replayed) < len(original)


def test_a_cut_anywhere_inside_a_record_is_noticed(captured, tmp_path):
    first = sorted((captured.workdir / "warc").iterdir())[0]
    data = first.read_bytes()
    ends = member_ends(data)
    start, end = ends[len(ends) // 2 - 1], ends[len(ends) // 2]
    whole = WarcArchive.load([first])
    cut = tmp_path / first.name
    # its first half (a cut in the last bytes may spare the record: they hold the gzip checksum and the
    # deflate stream's end, and the record itself is whole)
    for size in range(start + 1, (start + end) // 2, 23):
        cut.write_bytes(data[:size])
        partial = WarcArchive.load([cut])
        assert partial.truncated, size
        assert partial.records < whole.records


def test_a_crawl_killed_mid_way_leaves_an_archive_to_re_extract_from(tmp_path):
    """kill -9 while pages are being archived: every article re-extracted from what was written is exact."""
    warc_dir = tmp_path / "warc"
    with Replica(articles=60, seed=9) as replica:
        slow = {"DOWNLOAD_DELAY": "0.1", "RANDOMIZE_DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                "ALINEA_WARC_DIR": str(warc_dir)}
        argv = scrapy_command(tmp_path / "killed", {"base_url": replica.url, "render": "never"}, slow)
        crawl = subprocess.Popen(argv, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while archived_bytes(warc_dir) < 40_000 and crawl.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert crawl.poll() is None, "the crawl ended before it could be killed"
            os.kill(crawl.pid, signal.SIGKILL)
        finally:
            crawl.wait()
        site = replica.site
    result = run_crawl(tmp_path / "replay", {"from_warc": str(warc_dir), "render": "never"})
    assert not any(key.startswith("spider_exceptions") for key in result.stats), result.log[-3000:]
    assert 0 < len(result.items) < len(site.listed_articles)
    for item in result.items:
        article = site.by_code[item["article_id"]]
        expected = site.expected_item(article, replica.url)
        # "Berita Lainnya" filled by JavaScript is not in a plain page (render=never)
        static = [replica.url + site.by_code[code].path for code in article.baca_juga]
        expected["related_urls"] = static if article.related_mode == "js" else expected["related_urls"]
        assert {key: item[key] for key in expected} == expected


def archived_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.glob("*.warc.gz")) if folder.exists() else 0


def test_a_replay_on_several_processes_gives_the_single_process_replay(captured, tmp_path):
    """Article pages read by worker processes: the same items, feeds, ledger and verdict as one process."""
    runs = {}
    for processes in (1, 2):
        workdir = tmp_path / f"p{processes}"
        runs[processes] = run_crawl(workdir, {"from_warc": str(captured.workdir / "warc")},
                                    {"ALINEA_REPLAY_PROCESSES": processes}, feeds=("items.jsonl", "items.csv"))
        assert runs[processes].returncode == 0, runs[processes].log[-3000:]
    single, parallel = runs[1], runs[2]
    assert "alinea/warc/read_by_workers" not in single.stats
    load_more_answers = parallel.stats["downloader/request_method_count/POST"]
    assert load_more_answers > 0
    assert parallel.stats["alinea/warc/read_by_workers"] == \
        parallel.stats["alinea/articles/requested"] + load_more_answers, "article pages and load-more answers"
    assert without_scraped_at(parallel.items) == without_scraped_at(single.items)
    assert len(parallel.items) == len({item["article_id"] for item in parallel.items}), "each article once"
    csv_ids = [sorted(row["article_id"] for row in csv.DictReader((run.workdir / "items.csv").open(encoding="utf-8")))
               for run in (single, parallel)]
    assert csv_ids[0] == csv_ids[1] == sorted(item["article_id"] for item in single.items)
    for report in (single.report, parallel.report):
        assert report["failed"] is None and report["unaccounted"] == []
    assert parallel.report["articles"] == single.report["articles"]
    assert {k: v for k, v in parallel.stats.items() if k.startswith("alinea/articles/")} == \
        {k: v for k, v in single.stats.items() if k.startswith("alinea/articles/")}


def uncompressed_copy(captured, folder: Path) -> Path:
    """The capture's files as plain ``.warc`` files (every gzip member inflated): the index reads them by warcio."""
    folder.mkdir()
    for path in sorted((captured.workdir / "warc").iterdir()):
        (folder / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    return folder


def indexed(record) -> tuple:
    """What the index takes from a record: its WARC headers; a request's method and body too."""
    return record.headers, (record.method, record.payload) if record.type == "request" else None


def test_the_index_reads_the_crawlers_own_files_as_warcio_reads_them(captured, tmp_path):
    plain = uncompressed_copy(captured, tmp_path / "plain")
    for path in sorted((captured.workdir / "warc").iterdir()):
        direct = list(plain_records(path))  # the crawler's gzip member per record: read directly
        by_warcio = list(warcio_records(path))
        assert len(direct) > 2
        assert [indexed(r) for r in direct] == [indexed(r) for r in by_warcio]
        assert [r.location for r in direct] == [r.location for r in by_warcio]
        assert direct[-1].location.offset + direct[-1].location.length == path.stat().st_size
        uncompressed = plain / path.name.removesuffix(".gz")
        with pytest.raises(NotPlain):  # any other shape is warcio's
            list(plain_records(uncompressed))
        assert [indexed(r) for r in warcio_records(uncompressed)] == [indexed(r) for r in direct]
    assert any(r.method == "POST" and b"_token=" in r.payload for path in (captured.workdir / "warc").iterdir()
               for r in plain_records(path))


def test_a_replay_from_an_archive_in_another_shape_gives_the_same_items(captured, tmp_path):
    """Uncompressed WARC files (as other tools write them): indexed and read by warcio, the same crawl."""
    plain = uncompressed_copy(captured, tmp_path / "plain")
    result = run_crawl(tmp_path / "replay", {"from_warc": str(plain)})
    assert result.returncode == 0, result.log[-3000:]
    assert without_scraped_at(result.items) == without_scraped_at(captured.items)
    assert result.stats["alinea/warc/read_by_workers"] > len(result.items) // 2
    assert "alinea/warc/missing" not in result.stats


def compressed_copy(captured, folder: Path) -> Path:
    """The capture's files with every HTML page as a server that compresses sends it: its body gzipped,
    ``Content-Encoding: gzip`` (the archive keeps pages as they came over the wire)."""
    folder.mkdir()
    for path in sorted((captured.workdir / "warc").iterdir()):
        members = []
        for member in gzip_members_of(path.read_bytes()):
            warc_head, _, block = member.partition(b"\r\n\r\n")
            http_head, _, body = block.partition(b"\r\n\r\n")
            if b"WARC-Type: response" in warc_head and b"text/html" in http_head and body.strip():
                http_head += b"\r\nContent-Encoding: gzip"
                body = gzip.compress(body, mtime=0)
                block = http_head + b"\r\n\r\n" + body
                lines = [line for line in warc_head.split(b"\r\n") if not line.lower().startswith(
                    (b"content-length:", b"warc-payload-digest:", b"warc-block-digest:"))]
                warc_head = b"\r\n".join([*lines, b"Content-Length: %d" % len(block)])
                member = warc_head + b"\r\n\r\n" + block + b"\r\n\r\n"
            members.append(gzip.compress(member, mtime=0))
        (folder / path.name).write_bytes(b"".join(members))
    return folder


def gzip_members_of(data: bytes):
    """Each gzip member of a file, inflated."""
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        yield inflater.decompress(data)
        data = inflater.unused_data


def test_pages_archived_compressed_are_read_by_the_workers_as_the_crawl_reads_them(captured, tmp_path):
    """A worker decodes a page's Content-Encoding as the crawl's HttpCompressionMiddleware does before the
    spider reads it: the same items as the capture (a worker reading the compressed bytes finds no article)."""
    compressed = compressed_copy(captured, tmp_path / "compressed")
    assert any(b"Content-Encoding: gzip" in member for path in compressed.iterdir()
               for member in gzip_members_of(path.read_bytes()))
    result = run_crawl(tmp_path / "replay", {"from_warc": str(compressed)}, {"ALINEA_REPLAY_PROCESSES": 2})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["httpcompression/response_count"] >= len(result.items)
    assert result.stats["alinea/warc/read_by_workers"] > len(result.items)
    assert without_scraped_at(result.items) == without_scraped_at(captured.items)


def test_the_index_read_in_parts_by_the_workers_is_the_index_read_in_one_go(captured, tmp_path):
    """Each file cut at record starts, its parts read by two worker processes at once: the same requests,
    responses and locations, in the same order; a file cut mid-record too, its cut in the same place."""
    first = sorted((captured.workdir / "warc").iterdir())[0]
    data = first.read_bytes()
    ends = member_ends(data)
    cut = tmp_path / first.name
    cut.write_bytes(data[:(ends[len(ends) * 3 // 4 - 1] + ends[len(ends) * 3 // 4]) // 2])
    pool = ExtractionPool(2, "http://127.0.0.1:1")
    try:
        for path in [*sorted((captured.workdir / "warc").iterdir()), cut]:
            assert len(record_starts(path, 2)) == 2, "two parts"
            in_parts, in_one_go = pool.scan(path), scan(plain_records(path))
            assert in_parts == in_one_go
            assert len(in_parts[1]) > 2
        assert in_parts[-1] is not None, "the cut file's cut"
    finally:
        pool.close()


def test_a_part_that_does_not_end_where_the_next_begins_sends_the_file_back_to_the_crawl():
    """A false record start (gzip's magic bytes inside a record) shows as a part reading past it."""
    parts = [Part(Path("f.warc.gz"), 0, 100), Part(Path("f.warc.gz"), 100, None)]
    whole = ({}, [], 1, 100, None), ({}, [], 1, 250, None)
    assert merged(parts, list(whole)) == ({}, [], 2, 250, None)
    assert merged(parts, [({}, [], 1, 130, None), whole[1]]) is None
    assert merged(parts, [whole[0], None]) is None
