"""What an alinea.id URL is: article or not, its id, its canonical form."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

# /<section>/<slug>-b<code>: the id is "b" + 8-9 letters/digits, the last slug part.
_ARTICLE_PATH = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?:[a-z0-9-]+-)?(?P<id>b[A-Za-z0-9]{8,9})/?$")
# Sections whose pages match the article pattern but are never articles.
NON_ARTICLE_SECTIONS = frozenset({"video", "foto", "tag", "penulis", "search", "infografis"})


def article_id(url: str) -> str | None:
    """``b2k8w9PZK`` for any URL variant of an article, else ``None``."""
    match = _ARTICLE_PATH.match(urlsplit(url).path)
    if not match or match["section"] in NON_ARTICLE_SECTIONS:
        return None
    return match["id"]


def article_section(url: str) -> str | None:
    match = _ARTICLE_PATH.match(urlsplit(url).path)
    return match["section"] if match else None


def canonical_url(url: str) -> str:
    """Drop query, fragment and trailing slash: one spelling per page."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))


def absolute(base: str, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    return urljoin(base, href.strip())


def same_site(url: str, base_url: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()
