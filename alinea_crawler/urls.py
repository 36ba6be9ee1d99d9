"""What an alinea.id URL is: article or not, its id, its canonical form."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

# /<section>/<slug>-b<code>: the id is "b" + 8-9 letters/digits, the last slug part.
_ARTICLE_PATH = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?:[a-z0-9-]+-)?(?P<id>b[A-Za-z0-9]{8,9})/?$")
# Sections whose pages match the article pattern but are never articles.
NON_ARTICLE_SECTIONS = frozenset({"video", "foto", "tag", "penulis", "search", "infografis"})


@lru_cache(maxsize=4096)  # pages and listings ask about the same URLs many times
def _article_parts(url: str) -> tuple[str | None, str | None]:
    """(section, article id) of an article URL; (section, None) for an article-shaped non-article."""
    match = _ARTICLE_PATH.match(urlsplit(url).path)
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
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))


def absolute(base: str, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    href = href.strip()
    if href.startswith(("http://", "https://")) and "/." not in href:
        return href  # already absolute: what urljoin would return, without parsing it twice
    return urljoin(base, href)


def same_site(url: str, base_url: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()
