"""What an alinea.id URL is: article or not, its id, its canonical form."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

# /<section>/<slug>-b<code>: the id is "b" + 8-9 letters/digits, the last slug part.
_ARTICLE_PATH = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?:[a-z0-9-]+-)?(?P<id>b[A-Za-z0-9]{8,9})/?$")
# Sections whose pages match the article pattern but are never articles.
NON_ARTICLE_SECTIONS = frozenset({"video", "foto", "tag", "penulis", "search", "infografis"})


# An http(s) URL that urlsplit takes apart without changing or checking anything: a lower-case scheme, an ASCII
# host without brackets, no tab or newline (urlsplit deletes those); its parts are read by this regex (``_split``),
# as urlsplit finds them: the host up to the first "/", "?" or "#", the path up to "?" or "#".
_PLAIN_URL = re.compile(r"(https?)://([^/?#\[\]\t\r\n\x80-\U0010ffff]*)(/[^?#\t\r\n]*)?(?:[?#][^\t\r\n]*)?")

# An absolute path that urljoin keeps as it is (no dot segment, asked apart): neither "//" (a host) nor ";" (its
# parameters) nor an empty query or fragment (dropped), nor a tab or newline.
_PLAIN_ROOTED = re.compile(r"/(?!/)[^?#;\t\r\n]*(?:\?[^#\t\r\n]+)?(?:#[^\t\r\n]+)?")


@lru_cache(maxsize=64)  # a link's URL is asked for its host, its id and its canonical form in a row
def _split(url: str) -> tuple[str, str, str]:
    """``urlsplit(url)``'s scheme, netloc and path: of a plain URL without urlsplit (~4 µs a URL, and most URLs
    of a page are met once)."""
    if plain := _PLAIN_URL.fullmatch(url):
        return plain[1], plain[2], plain[3] or ""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path


@lru_cache(maxsize=4096)  # pages and listings ask about the same URLs many times
def _article_parts(url: str) -> tuple[str | None, str | None]:
    """(section, article id) of an article URL; (section, None) for an article-shaped non-article."""
    match = _ARTICLE_PATH.match(_split(url)[2])
    if not match:
        return None, None
    return match["section"], None if match["section"] in NON_ARTICLE_SECTIONS else match["id"]


def article_id(url: str) -> str | None:
    """``b2k8w9PZK`` for any URL variant of an article, else ``None``."""
    return _article_parts(url)[1]


def article_section(url: str) -> str | None:
    return _article_parts(url)[0]


@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """Drop query, fragment and trailing slash: one spelling per page."""
    scheme, netloc, path = _split(url)
    path = path.rstrip("/") or "/"
    if scheme and netloc:  # what urlunsplit writes then (a path begins with "/")
        return f"{scheme}://{netloc.lower()}{path}"
    return urlunsplit((scheme, netloc.lower(), path, "", ""))


def absolute(base: str, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    href = href.strip()
    if href.startswith(("http://", "https://")) and "/." not in href:
        return href  # already absolute: what urljoin would return, without parsing it twice
    if href[:1] == "/" and "/." not in href and _PLAIN_ROOTED.fullmatch(href) and (plain := _PLAIN_URL.fullmatch(base)):
        return f"{plain[1]}://{plain[2]}{href}"  # a path on the page's host: what urljoin would return
    return urljoin(base, href)


def same_site(url: str, base_url: str) -> bool:
    return _split(url)[1].lower() == _split(base_url)[1].lower()
