"""WARC: every page the crawl fetches, archived; a crawl from that archive, without the network.

One module per job: ``capture`` writes the archive, ``records`` reads one record
back, ``replay`` answers a crawl's requests from the archive, ``workers`` reads
archived article pages in other processes during a replay. This package holds
what they share: the record headers the archive adds, and which files a
``from_warc`` value names.

* ``WarcCaptureMiddleware`` (on when ``ALINEA_WARC_DIR`` is set) writes each
  request and its response, as they went over the wire (before decompression,
  redirects and retries), to ``<dir>/alinea-<job id>-00001.warc.gz`` — one gzip
  member per record, each record pair written in one piece and flushed, so a
  killed crawl leaves a file readable up to its last whole record. A file that
  reaches ``ALINEA_WARC_MAX_BYTES`` is closed and the next one (``-00002``)
  opened. Pages the browser rendered are archived as the browser showed them,
  marked ``WARC-Alinea-Rendered: 1``; the fetch/XHR answers the browser got
  while rendering are archived too (``WARC-Alinea-Rendered: xhr``,
  ``WARC-Alinea-Page``: the rendered page), since they taught the crawl its
  related-list endpoint.
* ``WarcReplayMiddleware`` (on with ``-a from_warc=…``) answers every request
  from those files — by method, URL and body (``POST /more``), a rendered page
  from its rendered record — and lets none reach the network. A request the
  archive does not hold is given up as "not in the WARC archive"
  (``alinea/warc/missing``). The spider navigates exactly as it did online.

Request records also carry how the crawl found the page (``WARC-Alinea-Kind``,
``WARC-Alinea-Via``); a replay restores ``via`` from them, so ``discovered_from``
stays what the original crawl saw, whatever order the replay runs in.
"""

from __future__ import annotations

import glob
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from warcio.archiveiterator import ArchiveIterator

WARC_VERSION = "WARC/1.1"
RENDERED = "WARC-Alinea-Rendered"  # "1": a page as the browser showed it; "xhr": an answer the browser got
PAGE = "WARC-Alinea-Page"  # on an "xhr" record: the rendered page that asked for it
KIND = "WARC-Alinea-Kind"  # on a request record: the spider's request kind (article, more, …)
VIA = "WARC-Alinea-Via"  # on a request record: the page that linked to it (the item's discovered_from)
REPLAYED = "from_warc"  # response flag of a page answered from the archive


def warc_paths(spec: str) -> list[Path]:
    """The WARC files a ``from_warc`` value names (a file, a directory, or a glob), in name order."""
    path = Path(spec).expanduser()
    if path.is_dir():
        found = [p for p in path.iterdir() if p.name.endswith((".warc", ".warc.gz"))]
    elif path.is_file():
        found = [path]
    else:
        found = [Path(p) for p in glob.glob(str(path)) if Path(p).is_file()]
    return sorted(p.resolve() for p in found)


def archived_site(paths: list[Path]) -> str | None:
    """``scheme://host`` of the first page archived in these files (a from_warc crawl's default base_url)."""
    for path in paths:
        with path.open("rb") as handle:
            try:
                for record in ArchiveIterator(handle):
                    if uri := record.rec_headers.get_header("WARC-Target-URI"):
                        parts = urlsplit(uri)
                        return f"{parts.scheme}://{parts.netloc}"
            except Exception:  # a file cut short before its first page: try the next
                continue
    return None


def replaying(crawler: Crawler) -> bool:
    args = getattr(crawler.spider, "args", None)
    return bool(getattr(args, "from_warc", None))
