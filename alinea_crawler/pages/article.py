"""Article pages: one layout class per template generation, newest first.

Every field climbs the same ladder: JSON-LD, then ``og:*``/``article:*`` meta,
then the layout's known classes, then a generic rule; it returns ``None`` (or
``[]``) rather than a guess. A layout subclass only overrides the selectors that
changed, fundus-style, and is chosen by markup (``matches``), not by date: one
crawl meets pages of every generation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, ClassVar

from parsel import Selector

from ..cleaning import drop_boilerplate_elements
from ..urls import absolute, article_id, article_section, canonical_url
from .common import (
    clean_text, elements, first_css, ld_article, ld_objects, ld_types, meta_map, names_of, node_text, text_of,
)
from .related import related_list

NON_ARTICLE_OG_TYPES = re.compile(r"^(video|music|profile|website|book)")
NON_ARTICLE_LD_TYPES = frozenset(
    {"VideoObject", "ImageGallery", "ProfilePage", "CollectionPage", "SearchResultsPage", "AboutPage"}
)
_BLOCKS = (
    ".//*[self::p or self::h2 or self::h3 or self::h4 or self::blockquote or self::li]"
    "[not(ancestor::p or ancestor::blockquote or ancestor::li)]"
)
_EDITOR_PREFIX = re.compile(r"^\s*(editor|penyunting)\s*:\s*", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[-|–]\s+alinea\.id$", re.I)


@dataclass
class ArticlePage:
    """What one article page says, before cleaning and validation."""

    url: str
    article_id: str | None
    section: str | None
    layout: str
    title: str | None
    lead: str | None
    authors: list[str]
    editor: str | None
    published_at_raw: str | None
    modified_at_raw: str | None
    tags: list[str]
    image_url: str | None
    image_caption: str | None
    body: str | None
    related_urls: list[str]
    related_pending: bool  # "Berita Lainnya" is on the page but empty: JavaScript fills it
    boilerplate_removed: Counter[str] = field(default_factory=Counter)


class ArticleGeneric:
    """Any news page: structured data, then generic HTML rules."""

    name: ClassVar[str] = "generic"
    TITLE_CSS: ClassVar[tuple[str, ...]] = ("h1",)
    LEAD_CSS: ClassVar[tuple[str, ...]] = ()
    AUTHOR_CSS: ClassVar[tuple[str, ...]] = ("[rel=author]", "[itemprop=author] [itemprop=name]")
    EDITOR_CSS: ClassVar[tuple[str, ...]] = ()
    DATE_CSS: ClassVar[tuple[str, ...]] = ()
    TAG_CSS: ClassVar[tuple[str, ...]] = ("[rel=tag]",)
    CAPTION_CSS: ClassVar[tuple[str, ...]] = ("article figure figcaption",)
    BODY_CSS: ClassVar[tuple[str, ...]] = ("[itemprop=articleBody]", "article")

    MARKERS: ClassVar[tuple[str, ...]] = ()  # CSS of elements only this layout has; none: matches any page

    def __init__(self, sel: Selector, url: str):
        self.sel = sel
        self.response_url = url
        self._found: dict[str, Selector | None] = {}

    def matches(self) -> bool:
        return not self.MARKERS or self._first_css(self.MARKERS) is not None

    @cached_property
    def ld_all(self) -> list[dict[str, Any]]:
        return ld_objects(self.sel)

    @cached_property
    def metas(self) -> dict[str, list[str]]:
        return meta_map(self.sel)

    def meta(self, name: str) -> str | None:
        """The first ``<meta property|name=name>`` content."""
        return next(iter(self.metas.get(name, ())), None)

    @cached_property
    def ld(self) -> dict[str, Any]:
        return ld_article(self.sel, self.ld_all)

    # -- fields ---------------------------------------------------------------

    @cached_property
    def url(self) -> str:
        own_id = article_id(self.response_url)
        for candidate in (
            lambda: next(iter(elements(self.sel, '//link[@rel="canonical"]/@href', css=False)), None),
            lambda: self.meta("og:url"),
            lambda: _ld_id(self.ld.get("mainEntityOfPage")),
        ):
            url = absolute(self.response_url, candidate())
            if url and article_id(url) and (own_id is None or article_id(url) == own_id):
                return canonical_url(url)
        return canonical_url(self.response_url)

    def title(self) -> str | None:
        return _first_of(
            lambda: clean_text(self.ld.get("headline")),
            lambda: (og_title := self.meta("og:title")) and _TITLE_SUFFIX.sub("", og_title),
            lambda: self._css_text(self.TITLE_CSS),
        )

    def lead(self) -> str | None:
        return _first_of(
            lambda: clean_text(self.ld.get("description")),
            lambda: self.meta("og:description"),
            lambda: self._css_text(self.LEAD_CSS),
        )

    def authors(self) -> list[str]:
        return _first_of(
            lambda: names_of(self.ld.get("author")),
            lambda: self.metas.get("author", []),
            lambda: self._css_texts(self.AUTHOR_CSS),
        ) or []

    def editor(self) -> str | None:
        names = names_of(self.ld.get("editor"))
        if names:
            return clean_text(names[0])
        line = self._css_text(self.EDITOR_CSS)
        return clean_text(_EDITOR_PREFIX.sub("", line)) if line else None

    def published_at_raw(self) -> str | None:
        return _first_of(
            lambda: clean_text(self.ld.get("datePublished")),
            lambda: self.meta("article:published_time"),
            lambda: self._css_text(self.DATE_CSS),
            lambda: clean_text(self.sel.xpath("//time/@datetime").get()),
        )

    def modified_at_raw(self) -> str | None:
        return _first_of(
            lambda: clean_text(self.ld.get("dateModified")),
            lambda: self.meta("article:modified_time"),
        )

    def tags(self) -> list[str]:
        keywords = self.ld.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        return _first_of(
            lambda: [k for k in map(clean_text, keywords or []) if k],
            lambda: self.metas.get("article:tag", []),
            lambda: self._css_texts(self.TAG_CSS),
        ) or []

    def image_url(self) -> str | None:
        image = self.ld.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        if isinstance(image, dict):
            image = image.get("url") or image.get("contentUrl")
        return absolute(self.response_url, _first_of(lambda: clean_text(image), lambda: self.meta("og:image")))

    def image_caption(self) -> str | None:
        image = self.ld.get("image")
        caption = image.get("caption") if isinstance(image, dict) else None
        return _first_of(lambda: clean_text(caption), lambda: self._css_text(self.CAPTION_CSS))

    # -- body and links -------------------------------------------------------

    @cached_property
    def _related(self):
        return related_list(self.sel, self.response_url, exclude=article_id(self.url), body=self._container)

    @cached_property
    def _container(self) -> Selector | None:
        return self._first_css(self.BODY_CSS)

    @cached_property
    def _body(self) -> tuple[str | None, Counter[str]]:
        """Body text after dropping boilerplate elements (mutates the tree: read links first)."""
        container = self._container
        if container is None:
            return None, Counter()
        removed = drop_boilerplate_elements(container)
        blocks = [node_text(block) for block in elements(container, _BLOCKS, css=False)]
        if not blocks:
            blocks = [clean_text(line) for line in container.xpath(".//text()").getall()]
        return "\n\n".join(b for b in blocks if b) or None, removed

    def is_article(self) -> bool:
        if self.ld:
            return True
        og_type = self.meta("og:type") or ""
        if NON_ARTICLE_OG_TYPES.match(og_type) or any(ld_types(o) & NON_ARTICLE_LD_TYPES for o in self.ld_all):
            return False
        return self._container is not None

    def extract(self) -> ArticlePage:
        """Every field and link first: reading the body drops boilerplate elements from the tree."""
        related = self._related
        page = ArticlePage(
            url=self.url,
            article_id=article_id(self.url),
            section=article_section(self.url),
            layout=self.name,
            title=self.title(),
            lead=self.lead(),
            authors=self.authors(),
            editor=self.editor(),
            published_at_raw=self.published_at_raw(),
            modified_at_raw=self.modified_at_raw(),
            tags=self.tags(),
            image_url=self.image_url(),
            image_caption=self.image_caption(),
            body=None,
            related_urls=related.urls,
            related_pending=related.pending,
        )
        page.body, page.boilerplate_removed = self._body
        return page

    # -- helpers --------------------------------------------------------------

    def _css_text(self, queries: tuple[str, ...]) -> str | None:
        return text_of(self._first_css(queries))

    def _first_css(self, queries: tuple[str, ...]) -> Selector | None:
        """The first element of the first query that matches; each query runs once per page."""
        for query in queries:
            if query not in self._found:
                self._found[query] = first_css(self.sel, (query,))
            if self._found[query] is not None:
                return self._found[query]
        return None

    def _css_texts(self, queries: tuple[str, ...]) -> list[str]:
        for query in queries:
            texts = [t for t in map(node_text, elements(self.sel, query)) if t]
            if texts:
                return texts
        return []


class ArticleV2021(ArticleGeneric):
    """The template of the seed page: no JSON-LD, facts in ``reporter__nama``/``frontdate``."""

    name = "v2021"
    TITLE_CSS = ("div.detail h1", "h1.title", "h1")
    LEAD_CSS = ("div.detail .lead",)
    AUTHOR_CSS = (".reporter__nama",)  # avatar and byline both name the reporter: the pipeline keeps one
    DATE_CSS = ("div.frontdate", ".frontdate")
    BODY_CSS = ("div.artikelend", "div.detail article", "article")

    MARKERS = ("div.artikelend", "div.frontdate")


class ArticleCurrent(ArticleGeneric):
    """Today's template: facts in JSON-LD and ``article:*`` meta, BEM classes in the DOM."""

    name = "current"
    TITLE_CSS = ("h1.article__title", "h1")
    LEAD_CSS = (".article__summary",)
    AUTHOR_CSS = (".article__author",)
    EDITOR_CSS = (".article__editor",)
    DATE_CSS = (".article__time",)
    TAG_CSS = (".article__tags a",)
    CAPTION_CSS = (".article__image figcaption", "figure figcaption")
    BODY_CSS = (".article__body", "[itemprop=articleBody]", "article")

    MARKERS = (".article__body",)


LAYOUTS: tuple[type[ArticleGeneric], ...] = (ArticleCurrent, ArticleV2021, ArticleGeneric)


def pick_layout(sel: Selector, url: str) -> ArticleGeneric:
    """The newest layout whose markup matches; ``ArticleGeneric`` always does."""
    return next(page for page in (layout(sel, url) for layout in LAYOUTS) if page.matches())


def extract_article(sel: Selector, url: str) -> ArticlePage | None:
    """The article on this page, or ``None`` when the page is not an article."""
    page = pick_layout(sel, url)
    return page.extract() if page.is_article() else None


def _first_of(*rungs: Callable[[], Any]) -> Any:
    """``first`` of a ladder whose rungs are computed only until one gives a value (they are pure)."""
    for rung in rungs:
        if value := rung():
            return value
    return None


def _ld_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("@id") or value.get("url")
    return value if isinstance(value, str) else None
