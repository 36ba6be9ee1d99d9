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
from typing import Any, ClassVar

from parsel import Selector

from ..cleaning import drop_boilerplate_elements
from ..urls import absolute, article_id, article_section, canonical_url
from .common import clean_text, first, first_css, ld_article, ld_objects, ld_types, meta, meta_all, names_of, text_of
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

    def __init__(self, sel: Selector, url: str):
        self.sel = sel
        self.response_url = url

    @classmethod
    def matches(cls, sel: Selector) -> bool:
        return True

    @cached_property
    def ld(self) -> dict[str, Any]:
        return ld_article(self.sel)

    # -- fields ---------------------------------------------------------------

    @cached_property
    def url(self) -> str:
        own_id = article_id(self.response_url)
        for candidate in (
            self.sel.xpath('//link[@rel="canonical"]/@href').get(),
            meta(self.sel, "og:url"),
            _ld_id(self.ld.get("mainEntityOfPage")),
        ):
            url = absolute(self.response_url, candidate)
            if url and article_id(url) and (own_id is None or article_id(url) == own_id):
                return canonical_url(url)
        return canonical_url(self.response_url)

    def title(self) -> str | None:
        og_title = meta(self.sel, "og:title")
        return first(
            clean_text(self.ld.get("headline")),
            og_title and _TITLE_SUFFIX.sub("", og_title),
            self._css_text(self.TITLE_CSS),
        )

    def lead(self) -> str | None:
        return first(
            clean_text(self.ld.get("description")),
            meta(self.sel, "og:description"),
            self._css_text(self.LEAD_CSS),
        )

    def authors(self) -> list[str]:
        return first(
            names_of(self.ld.get("author")),
            meta_all(self.sel, "author"),
            self._css_texts(self.AUTHOR_CSS),
        ) or []

    def editor(self) -> str | None:
        names = names_of(self.ld.get("editor"))
        if names:
            return clean_text(names[0])
        line = self._css_text(self.EDITOR_CSS)
        return clean_text(_EDITOR_PREFIX.sub("", line)) if line else None

    def published_at_raw(self) -> str | None:
        return first(
            clean_text(self.ld.get("datePublished")),
            meta(self.sel, "article:published_time"),
            self._css_text(self.DATE_CSS),
            clean_text(self.sel.xpath("//time/@datetime").get()),
        )

    def modified_at_raw(self) -> str | None:
        return first(clean_text(self.ld.get("dateModified")), meta(self.sel, "article:modified_time"))

    def tags(self) -> list[str]:
        keywords = self.ld.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        return first(
            [k for k in map(clean_text, keywords or []) if k],
            meta_all(self.sel, "article:tag"),
            self._css_texts(self.TAG_CSS),
        ) or []

    def image_url(self) -> str | None:
        image = self.ld.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        if isinstance(image, dict):
            image = image.get("url") or image.get("contentUrl")
        return absolute(self.response_url, first(clean_text(image), meta(self.sel, "og:image")))

    def image_caption(self) -> str | None:
        image = self.ld.get("image")
        caption = image.get("caption") if isinstance(image, dict) else None
        return first(clean_text(caption), self._css_text(self.CAPTION_CSS))

    # -- body and links -------------------------------------------------------

    @cached_property
    def _related(self):
        return related_list(self.sel, self.response_url, exclude=article_id(self.url))

    @cached_property
    def _body(self) -> tuple[str | None, Counter[str]]:
        """Body text after dropping boilerplate elements (mutates the tree: read links first)."""
        container = first_css(self.sel, self.BODY_CSS)
        if container is None:
            return None, Counter()
        removed = drop_boilerplate_elements(container)
        blocks = [text_of(block) for block in container.xpath(_BLOCKS)]
        if not blocks:
            blocks = [clean_text(line) for line in container.xpath(".//text()").getall()]
        return "\n\n".join(b for b in blocks if b) or None, removed

    def is_article(self) -> bool:
        if self.ld:
            return True
        og_type = meta(self.sel, "og:type") or ""
        if NON_ARTICLE_OG_TYPES.match(og_type) or any(ld_types(o) & NON_ARTICLE_LD_TYPES for o in ld_objects(self.sel)):
            return False
        return first_css(self.sel, self.BODY_CSS) is not None

    def extract(self) -> ArticlePage:
        related = self._related  # before _body drops the elements that hold links
        body, removed = self._body
        return ArticlePage(
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
            body=body,
            related_urls=related.urls,
            related_pending=related.pending,
            boilerplate_removed=removed,
        )

    # -- helpers --------------------------------------------------------------

    def _css_text(self, queries: tuple[str, ...]) -> str | None:
        return text_of(first_css(self.sel, queries))

    def _css_texts(self, queries: tuple[str, ...]) -> list[str]:
        for query in queries:
            texts = [t for t in map(text_of, self.sel.css(query)) if t]
            if texts:
                return texts
        return []


class ArticleV2021(ArticleGeneric):
    """The template of the seed page: no JSON-LD, facts in ``reporter__nama``/``frontdate``."""

    name = "v2021"
    TITLE_CSS = ("div.detail h1", "h1.title", "h1")
    LEAD_CSS = ("div.detail .lead",)
    AUTHOR_CSS = (".byline .reporter__nama", "div.written__reporter div.reporter__nama")
    DATE_CSS = ("div.frontdate", ".frontdate")
    BODY_CSS = ("div.artikelend", "div.detail article", "article")

    @classmethod
    def matches(cls, sel: Selector) -> bool:
        return bool(sel.css("div.artikelend, div.frontdate"))


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

    @classmethod
    def matches(cls, sel: Selector) -> bool:
        return bool(sel.css(".article__body"))


LAYOUTS: tuple[type[ArticleGeneric], ...] = (ArticleCurrent, ArticleV2021, ArticleGeneric)


def pick_layout(sel: Selector, url: str) -> ArticleGeneric:
    """The newest layout whose markup matches; ``ArticleGeneric`` always does."""
    layout = next(cls for cls in LAYOUTS if cls.matches(sel))
    return layout(sel, url)


def extract_article(sel: Selector, url: str) -> ArticlePage | None:
    """The article on this page, or ``None`` when the page is not an article."""
    page = pick_layout(sel, url)
    return page.extract() if page.is_article() else None


def _ld_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("@id") or value.get("url")
    return value if isinstance(value, str) else None
