"""urls.py reads plain URLs without urllib's parser: it must give what urllib gives, for every URL a page can hold."""

from __future__ import annotations

import random
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest

from alinea_crawler.urls import absolute, article_id, canonical_url, same_site

BASES = ["https://www.alinea.id/politik/judul-b2k8w9PZK", "http://127.0.0.1:8080/x/y/", "https://www.alinea.id",
         "https://WWW.Alinea.ID/a?b#c", "http:///p", "https://h/a;p?q", "https://[::1]/a", "ftp://h/a", "HTTPS://h/a",
         "https://hé/a", "https://h/a\tb"]
# pieces of URLs that change how urllib reads one: hosts, dot segments, parameters, empty queries and fragments,
# tabs and newlines (deleted), brackets (IPv6), non-ASCII hosts (NFKC-checked), other schemes
PIECES = ["/", "//", "?", "#", ";", ".", "..", "/.", "/..", "\t", "\n", " ", "é", "[", "]", "a", "B", "b2k8w9PZK",
          "politik", "x=1", "&", "%20", "@", ":", "\x00", "\u3000", "\u2100", "http://", "https://", "HTTP://", "ftp:"]


def hrefs(count: int) -> list[str]:
    rng = random.Random(2026)
    found = []
    for _ in range(count):
        href = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 7)))
        found.append(rng.choice(["", "/", "http://", "https://"]) + href)
    return found


def outcome(function, *args):
    try:
        return function(*args)
    except ValueError as error:  # urllib refuses some hosts: so must we
        return f"ValueError: {error}"


def urllib_absolute(base: str, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    href = href.strip()
    if href.startswith(("http://", "https://")) and "/." not in href:
        return href  # absolute() keeps an absolute URL as it is
    return urljoin(base, href)


def urllib_canonical(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/") or "/", "", ""))


def urllib_article_id(url: str) -> str | None:
    from alinea_crawler.urls import _ARTICLE_PATH, NON_ARTICLE_SECTIONS
    match = _ARTICLE_PATH.match(urlsplit(url).path)
    return match["id"] if match and match["section"] not in NON_ARTICLE_SECTIONS else None


def test_urls_are_read_as_urllib_reads_them():
    mismatches = []
    rng = random.Random(7)
    for href in hrefs(40_000):
        base = rng.choice(BASES)
        for name, ours, theirs in (
                ("absolute", outcome(absolute, base, href), outcome(urllib_absolute, base, href)),
                ("canonical_url", outcome(canonical_url, href), outcome(urllib_canonical, href)),
                ("article_id", outcome(article_id, href), outcome(urllib_article_id, href)),
                ("same_site", outcome(same_site, href, base),
                 outcome(lambda u, b: urlsplit(u).netloc.lower() == urlsplit(b).netloc.lower(), href, base))):
            if ours != theirs:
                mismatches.append((name, base, href, ours, theirs))
    assert mismatches == []


@pytest.mark.parametrize("base, href, expected", [
    ("https://www.alinea.id/politik/a-b2k8w9PZK", "/bisnis/b-b1aB2cD3e", "https://www.alinea.id/bisnis/b-b1aB2cD3e"),
    ("https://www.alinea.id/politik/a", "/bisnis/b?", "https://www.alinea.id/bisnis/b"),  # an empty query dropped
    ("https://www.alinea.id/politik/a", "/bisnis/./b#", "https://www.alinea.id/bisnis/b"),
    ("https://www.alinea.id/politik/a", "//cdn.example/x", "https://cdn.example/x"),  # a host of its own
    ("https://www.alinea.id/politik/a", "/bisnis/b\t-c", "https://www.alinea.id/bisnis/b-c"),  # a tab deleted
])
def test_a_path_on_the_page_host(base, href, expected):
    assert absolute(base, href) == expected
