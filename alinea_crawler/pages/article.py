"""Article pages: one layout class per template generation, newest first.

Every field climbs the same ladder and records the rung that gave it:
``ld`` (JSON-LD), ``meta`` (``og:*``/``article:*``/``name=`` meta), ``layout``
(the template's known classes), ``generic`` (rules that hold on any news page).
A rung that finds nothing gives ``None`` (or ``[]``) rather than a guess.

Fields are read independently (Fundus's suppress mode): a field whose reading
raises is left empty and its error kept in ``ArticlePage.field_errors``; the
rest of the article survives.

The body is chosen by content (``body.choose_body``): the layout's containers
are candidates next to the region the text itself points at. When the winner
is neither a layout's container nor a body the page declares
(``itemprop=articleBody``), the generic rung reads the page with trafilatura
and keeps what our region agrees with (see ``generic_body``).

A layout subclass only overrides the selectors that changed, fundus-style, and
is chosen by markup (``matches``), not by date: one crawl meets pages of every
generation.
"""

from __future__ import annotations

import logging
from itertools import chain, islice
import re
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, ClassVar, Iterator

import lxml.html
from lxml import etree
import trafilatura
from parsel import Selector

from ..cleaning import boilerplate_rule, drop_boilerplate_elements
from ..dates import find_datetime, parse_id_datetime
from ..urls import absolute, article_id, article_section, canonical_url
from .body import MIN_BODY_CHARS, Candidate, choose_body, text_blocks
from .common import (
    PageQueries, clean_text, elements, ld_article, ld_objects, ld_types, meta_map, node_text, strings_of, wrap,
)
from .related import related_list
from .trafilatura_reading import fast_reading

logger = logging.getLogger(__name__)

NON_ARTICLE_OG_TYPES = re.compile(r"^(video|music|profile|book)")
NON_ARTICLE_LD_TYPES = frozenset(
    {"VideoObject", "ImageGallery", "ProfilePage", "CollectionPage", "SearchResultsPage", "AboutPage"}
)
RUNGS = ("ld", "meta", "layout", "generic")
FIELDS = ("title", "lead", "authors", "editor", "published_at_raw", "modified_at_raw", "tags", "image_url",
          "image_caption")
_EDITOR_LINE = re.compile(r"^\s*(?:editor|penyunting|redaktur)\s*:\s*(?P<name>[^.!?:]{2,80})$", re.I)
_BYLINE = re.compile(r"^\s*(?:oleh|penulis|reporter|wartawan|by)\b\s*:?\s*(?P<names>.+)$", re.I)
_BYLINE_SEPARATORS = re.compile(r"\s+[|·•—–-]\s+|\s*[|·•]\s*")
_TITLE_SUFFIX = re.compile(r"\s+[-|–]\s+alinea\.id$", re.I)
# A paragraph trafilatura returns counts as ours when our region's text holds it; most of its text must agree.
AGREEMENT = 0.7
MIN_SHARED_CHARS = 20  # shorter paragraphs must equal one of ours exactly ("Sponsored" is in many sentences)
SHRUNK = 0.2  # an agreed body under this share of our region's text: trafilatura's fast reading failed
AGREED_SHRUNK = 0.3  # ... or under this share where its fast reading agreed with our region
MENU_LINE = 40  # a line shorter than this is a menu entry, a label, a link
MENU = 0.4  # a reading with this share of its text in such lines is a menu, not prose
TABLE_ROWS = 0.5  # a reading with this share of its text in table rows ("| a | b |") reads a layout table
REGION_HELD = 0.8  # ... that holds this share of our region's text
TWIN_CHUNK_TAGS = frozenset({"div", "section", "article"})
TWIN_KEPT = 0.8  # a chunk this much kept by the agreed body vouches for its twins
TWIN_BLOCK_CHARS = 60  # the twins' blocks this long come back (prose, not their labels or captions)
NEAR_HEADLINE_BLOCKS = 12  # visible blocks after the headline searched for a byline, a date or a standfirst
# lxml.html's element classes looked up in C, not by lxml.html's Python lookup (one call per element touched)
_HTML_ELEMENTS = etree.HTMLParser()
_HTML_ELEMENTS.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))
# the page's JSON-LD, the only scripts trafilatura reads (``html_tree``)
_JSON_LD = etree.XPath('//script[@type="application/ld+json"]')
_PERSON_LINKS = ("//a[contains(@href, '/penulis/') or contains(@href, '/author/') or contains(@href, '/reporter/')"
                 " or contains(@href, '/wartawan/') or contains(@href, '/kontributor/')]")
_COMMENT_NAME = re.compile(r"(?:comments?|commentlist|comment[-_](?:list|body|content|text|thread|block|section|area|"
                           r"wrap|wrapper|container)|disqus(?:_thread)?)", re.I)
_EDITOR_WORDS = ("editor", "penyunting", "redaktur")
_KELVIN = "\u212a".encode()
_NAME_LIST = re.compile(r"\s*(?:,|&|\bdan\b|\band\b)\s*")
# Between headline and body, these hold no standfirst: captions, credits, sharing, tags, bylines, dates.
_NOT_STANDFIRST_TAGS = frozenset({"figure", "figcaption", "nav", "aside", "form", "time", "ul", "ol", "table",
                                  "button", "address"})
_NOT_STANDFIRST_CLASS = re.compile(
    r"caption|credit|share|social|breadcrumb|\btags?\b|author|byline|reporter|date|time|photo|image|img|"
    r"video|related|terkait|lainnya|\bads?\b|advert|sponsor", re.I)


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
    field_sources: dict[str, str] = field(default_factory=dict)  # field -> rung that gave it (RUNGS)
    field_errors: dict[str, str] = field(default_factory=dict)  # field -> why reading it failed


@dataclass(frozen=True)
class Found:
    value: Any
    rung: str | None


NOTHING = Found(None, None)


def ladder(*rungs: tuple[str, Callable[[], Any]]) -> Found:
    """The first rung that gives a value, and its name; rungs are computed only until then."""
    for name, rung in rungs:
        if value := rung():
            return Found(value, name)
    return NOTHING


class ArticleGeneric:
    """Any news page: structured data, then rules that hold on any news page."""

    name: ClassVar[str] = "generic"
    # The template's own selectors (rung "layout"); a generic page has none.
    TITLE_CSS: ClassVar[tuple[str, ...]] = ()
    LEAD_CSS: ClassVar[tuple[str, ...]] = ()
    AUTHOR_CSS: ClassVar[tuple[str, ...]] = ()
    EDITOR_CSS: ClassVar[tuple[str, ...]] = ()
    DATE_CSS: ClassVar[tuple[str, ...]] = ()
    TAG_CSS: ClassVar[tuple[str, ...]] = ()
    CAPTION_CSS: ClassVar[tuple[str, ...]] = ()
    IMAGE_SRC: ClassVar[tuple[str, ...]] = ()  # XPath of the main image's address
    BODY_CSS: ClassVar[tuple[str, ...]] = ()
    MARKERS: ClassVar[tuple[str, ...]] = ()  # CSS of elements only this layout has; none: matches any page
    ALSO: ClassVar[tuple[str, ...]] = ()  # CSS of elements it also has, each required (a marker alone is common)

    # Rules of any news page (rung "generic").
    GENERIC_AUTHOR_CSS: ClassVar[tuple[str, ...]] = (
        "[rel=author]", "[itemprop=author] [itemprop=name]", "[itemprop=author]",
        ".author, .author-name, .author__name, .byline__author, .reporter, .reporter-name, .penulis, .writer",
    )
    GENERIC_TAG_CSS: ClassVar[tuple[str, ...]] = ("[rel=tag]", "article a[href*='/tag/']")
    GENERIC_CAPTION_CSS: ClassVar[tuple[str, ...]] = ("figure figcaption",)
    GENERIC_BODY_CSS: ClassVar[tuple[str, ...]] = ("[itemprop=articleBody]", "article")

    def __init__(self, sel: Selector, url: str, queries: PageQueries | None = None):
        self.sel = sel
        self.response_url = url
        self._texts: dict[str, str | None] = {}  # query -> the text of its first element with text
        # each query's elements, shared by the layouts tried on one page (``pick_layout``); read before the
        # body drops boilerplate from the tree (``extract`` reads the body last)
        self._queries = PageQueries(sel) if queries is None else queries

    def matches(self) -> bool:
        return not self.MARKERS or (any(self._select(query) for query in self.MARKERS)
                                    and all(self._select(query) for query in self.ALSO))

    @cached_property
    def ld_all(self) -> list[dict[str, Any]]:
        return ld_objects(self.sel, self._queries.tagged("script"))

    @cached_property
    def metas(self) -> dict[str, list[str]]:
        return meta_map(self.sel, self._queries.tagged("meta"))

    def meta(self, *names: str) -> str | None:
        """The first content of the first ``<meta property|name=…>`` of these names that the page has."""
        return next((values[0] for name in names if (values := self.metas.get(name))), None)

    @cached_property
    def ld(self) -> dict[str, Any]:
        return ld_article(self.sel, self.ld_all)

    # -- fields ---------------------------------------------------------------

    @cached_property
    def url(self) -> str:
        own_id = article_id(self.response_url)
        for candidate in (
            lambda: next((link.get("href") for link in self._queries.tagged("link")
                          if link.get("rel") == "canonical" and link.get("href") is not None), None),
            lambda: self.meta("og:url"),
            lambda: _ld_id(self.ld.get("mainEntityOfPage")),
        ):
            url = absolute(self.response_url, candidate())
            if url and article_id(url) and (own_id is None or article_id(url) == own_id):
                return canonical_url(url)
        return canonical_url(self.response_url)

    def title(self) -> Found:
        return ladder(
            ("ld", lambda: _one_string(self.ld.get("headline"))),
            ("meta", lambda: (og := self.meta("og:title", "twitter:title")) and _TITLE_SUFFIX.sub("", og)),
            ("layout", lambda: self._css_text(self.TITLE_CSS)),
            ("generic", lambda: self._css_text(("h1",))),
        )

    def lead(self) -> Found:
        return ladder(
            ("ld", lambda: _one_string(self.ld.get("description"))),
            ("meta", lambda: self.meta("og:description", "twitter:description", "description")),
            ("layout", lambda: self._css_text(self.LEAD_CSS)),
            ("generic", self._standfirst),
        )

    def authors(self) -> Found:
        return ladder(
            ("ld", lambda: strings_of(self.ld.get("author"))),
            ("meta", lambda: [a for a in self.metas.get("author", []) if not a.startswith("http")]),
            ("layout", lambda: self._css_texts(self.AUTHOR_CSS)),
            ("generic", lambda: self._css_texts(self.GENERIC_AUTHOR_CSS) or self._byline_names()),
        )

    def editor(self) -> Found:
        return ladder(
            ("ld", lambda: _one_string(self.ld.get("editor"))),
            ("layout", lambda: _editor_name(self._css_text(self.EDITOR_CSS))),
            ("generic", self._editor_line),
        )

    def published_at_raw(self) -> Found:
        return ladder(
            ("ld", lambda: _one_string(self.ld.get("datePublished"))),
            ("meta", lambda: self.meta("article:published_time", "og:published_time", "datePublished",
                                       "pubdate", "publishdate", "date", "dc.date", "DC.date.issued",
                                       "parsely-pub-date", "sailthru.date")),
            ("layout", lambda: _date_in(self._css_text(self.DATE_CSS))),
            ("generic", self._visible_date),
        )

    def modified_at_raw(self) -> Found:
        return ladder(
            ("ld", lambda: _one_string(self.ld.get("dateModified"))),
            ("meta", lambda: self.meta("article:modified_time", "og:updated_time", "dateModified")),
            ("generic", lambda: clean_text(next(iter(elements(
                self.sel, "//@itemprop[. = 'dateModified']/../@*[name() = 'datetime' or name() = 'content']",
                css=False)), None))),
        )

    def tags(self) -> Found:
        return ladder(
            ("ld", lambda: _keywords(self.ld.get("keywords"))),
            ("meta", lambda: self.metas.get("article:tag", [])),
            ("layout", lambda: self._css_texts(self.TAG_CSS)),
            ("generic", lambda: self._css_texts(self.GENERIC_TAG_CSS)),
        )

    def image_url(self) -> Found:
        found = ladder(
            ("ld", lambda: _image_url(self.ld.get("image"))),
            ("meta", lambda: self.meta("og:image", "og:image:url", "twitter:image")),
            ("layout", lambda: next((src for q in self.IMAGE_SRC for src in self._select(q)), None)),
        )
        return Found(absolute(self.response_url, found.value), found.rung) if found.value else NOTHING

    def image_caption(self) -> Found:
        return ladder(
            ("ld", lambda: _image_caption(self.ld.get("image"))),
            ("layout", lambda: self._css_text(self.CAPTION_CSS)),
            ("generic", lambda: self._css_text(self.GENERIC_CAPTION_CSS)),
        )

    # -- generic rules: visible text near the headline -------------------------

    @cached_property
    def _h1(self) -> Any | None:
        return next(iter(self._queries.tagged("h1")), None)

    @cached_property
    def _near_headline(self) -> list[str]:
        """The short visible blocks after the headline (byline, date), before the body is cleaned."""
        h1 = self._h1
        if h1 is None:
            nodes = iter([self.sel.root])
        else:  # the headline's siblings, then its wrapper's: the byline may sit beside either
            parent = h1.getparent()
            nodes = chain(h1.itersiblings(), parent.itersiblings() if parent is not None else ())
        blocks = []
        for node in nodes:
            blocks.extend(b for b in text_blocks(node) if len(b) <= 200)
            if len(blocks) >= NEAR_HEADLINE_BLOCKS:
                break
        return blocks[:NEAR_HEADLINE_BLOCKS]

    def _editor_line(self) -> str | None:
        """A short "Editor: X" / "Penyunting: X" line next to the headline or in the body."""
        node = self._candidate.node if self._candidate else None
        around = self._around_headline()
        named_near = _names_an_editor(around)
        near = self._near_headline if named_near else []
        # the body's raw text is part of its ancestor's: no editor word there, none in the body
        inside = node is not None and (node is around or any(a is around for a in node.iterancestors()))
        named_body = node is not None and (named_near or not inside) and _names_an_editor(node)
        body = text_blocks(node) if named_body else []
        return next(filter(None, map(_editor_name, [*near, *body])), None)

    def _around_headline(self) -> Any:
        """An element holding every block ``_near_headline`` reads: the headline's grandparent."""
        h1 = self._h1
        if h1 is None:
            return self.sel.root
        parent = h1.getparent()
        if parent is None:
            return h1
        return parent if (grandparent := parent.getparent()) is None else grandparent

    def _standfirst(self) -> str | None:
        """The visible standfirst: the first sentence-like block between the headline and the body.

        Not a byline or a dateline (a short block with a date, a "Oleh …" line), not a caption or a
        labelled widget (skipped by structure), not a piece of chrome (``boilerplate_rule``), not the
        headline again nor the body's own first paragraph.
        """
        h1 = self._h1
        candidate = self._candidate
        if h1 is None or candidate is None:
            return None
        headline = node_text(h1)
        first = None
        for block in islice(_blocks_before(h1, candidate.node), NEAR_HEADLINE_BLOCKS):
            if not _is_standfirst(block, headline):
                continue
            if first is None:
                first = next(iter(text_blocks(candidate.node)), "")
            return block if block != first else None
        return None

    def _visible_date(self) -> str | None:
        """``<time>`` first, then the first date written next to the headline."""
        for value in elements(self.sel, "//time/@datetime | //*[@itemprop='datePublished']/@content"
                                        " | //*[@itemprop='datePublished']/@datetime", css=False):
            if parse_id_datetime(value):
                return clean_text(value)
        for text in [*map(node_text, elements(self.sel, "//time", css=False)), *self._near_headline]:
            if raw := _date_in(text):
                return raw
        return None

    def _byline_names(self) -> list[str]:
        """A byline near the headline: "Oleh A · 31/12/2021", or names and a date in one text with any
        separator or none ("Andi Saputra  Senin, 3 Feb 2025 09:10 WIB"); the date and separators removed.

        Without a label ("Oleh", "Penulis:") the text must hold a date (or be followed by a block that is only
        a date: a ``<br>`` between them) and, besides it, only capitalised names: two words at least (a
        dateline "Jakarta -" is no author), or a name linked to a person's page.
        """
        blocks = self._near_headline
        for i, text in enumerate(blocks):
            match = _BYLINE.match(text)
            names = match["names"] if match else text
            date = find_datetime(names)
            if not match and date is None and not _is_date_only(blocks[i + 1] if i + 1 < len(blocks) else ""):
                continue
            if date:
                names = names.replace(date.raw, " ")
            parts = [clean_text(p) for p in _BYLINE_SEPARATORS.split(names) if clean_text(p)]
            if parts and (match or _looks_like_names(parts[0]) or parts[0] in self._person_links):
                return [parts[0]]
        return []

    @cached_property
    def _person_links(self) -> set[str]:
        """Texts of links to a person's page (``/penulis/…``, ``/author/…``): a one-word name is a name there."""
        return {text for node in elements(self.sel, _PERSON_LINKS, css=False) if (text := node_text(node))}

    # -- body and links -------------------------------------------------------

    @cached_property
    def _candidate(self) -> Candidate | None:
        """The body element, chosen by content among the known containers and the text's own region."""
        known = [(node, "layout") for query in self.BODY_CSS for node in self._select(query)]
        known += [(node, "generic") for query in self.GENERIC_BODY_CSS for node in self._select(query)]
        candidate = choose_body(self.sel.root, known)
        if candidate and candidate.source == "generic" and (comments := _comment_section(candidate.node)) is not None:
            # the text's own region is the readers' comments (a long thread outweighs a short article)
            candidate = choose_body(self.sel.root, known, excluded=comments)
        return candidate

    @cached_property
    def _related(self):
        container = wrap(self.sel, self._candidate.node) if self._candidate else None
        return related_list(self.sel, self.response_url, exclude=article_id(self.url), body=container,
                            queries=self._queries)

    def _body(self, page: ArticlePage) -> Found:
        """Body paragraphs after dropping boilerplate elements (mutates the tree: read every other field first)."""
        candidate = self._candidate
        if candidate is None:
            return NOTHING
        # the page declares its body (itemprop=articleBody): no second opinion needed
        second_opinion = candidate.source != "layout" and candidate.node.get("itemprop") != "articleBody"
        # trafilatura reads a copy of our tree taken before anything is dropped (it prunes the copy it is given)
        tree = html_tree(self.sel.root) if second_opinion else None
        theirs = trafilatura_paragraphs(tree, self.response_url) if second_opinion else None
        page.boilerplate_removed = drop_boilerplate_elements(wrap(self.sel, candidate.node))
        is_byline_or_title = _byline_or_title_test(page)
        ours = [b for b in text_blocks(candidate.node) if not is_byline_or_title(b)]
        if not second_opinion:
            return Found("\n\n".join(ours) or None, candidate.source)
        agreed = not theirs or agrees(theirs, ours)
        body = agreed_paragraphs(theirs, ours, agreed)
        if _chars(body) < SHRUNK * _chars(ours) or agreed and _chars(body) < AGREED_SHRUNK * _chars(ours):
            # its fast reading kept a sliver of a region we found whole (or, where it agrees with the region,
            # under 30% of it): its full reading (readability and jusText fallbacks; a second run) decides
            # when it keeps more
            fuller = agreed_paragraphs(trafilatura_paragraphs(tree, self.response_url, fast=False), ours)
            if _chars(fuller) > _chars(body):
                body = fuller
        if agreed and len(body) < len(ours):
            body = with_twin_chunks(candidate.node, body, ours)
        return Found("\n\n".join(body) or None, candidate.source)

    def is_article(self) -> bool:
        """Only positive evidence makes a page "not an article": a video, a profile, a gallery, a listing.

        Article evidence (an article in JSON-LD, ``og:type`` article) wins over an embedded VideoObject;
        ``og:type`` website counts only on a page without article text.
        """
        og_type = self.meta("og:type") or ""
        if self.ld or og_type.startswith("article"):
            return True
        if NON_ARTICLE_OG_TYPES.match(og_type) or any(ld_types(o) & NON_ARTICLE_LD_TYPES for o in self.ld_all):
            return False
        return og_type != "website" or self._candidate is not None

    def extract(self) -> ArticlePage:
        """Every field and link first: reading the body drops boilerplate elements from the tree."""
        page = ArticlePage(
            url=self.url, article_id=article_id(self.url), section=article_section(self.url), layout=self.name,
            title=None, lead=None, authors=[], editor=None, published_at_raw=None, modified_at_raw=None, tags=[],
            image_url=None, image_caption=None, body=None, related_urls=[], related_pending=False,
        )
        try:
            page.related_urls, page.related_pending = self._related.urls, self._related.pending
        except Exception as error:  # noqa: BLE001 - one field's failure must not lose the article
            page.field_errors["related_urls"] = _describe(error)
        for name in FIELDS:
            self._read(page, name, getattr(self, name))
        self._read(page, "body", lambda: self._body(page))
        return page

    def _read(self, page: ArticlePage, name: str, reader: Callable[[], Found]) -> None:
        try:
            found = reader()
        except Exception as error:  # noqa: BLE001 - one field's failure must not lose the article
            page.field_errors[name] = _describe(error)
            return
        if found.value:
            setattr(page, name, found.value)
            page.field_sources[name] = found.rung

    # -- helpers --------------------------------------------------------------

    def _css_text(self, queries: tuple[str, ...]) -> str | None:
        """The text of the first element with text of the first query that has one; each read once per page."""
        for query in queries:
            if query not in self._texts:
                self._texts[query] = next(filter(None, map(node_text, self._select(query))), None)
            if self._texts[query] is not None:
                return self._texts[query]
        return None

    def _select(self, query: str) -> list[Any]:
        """Elements of a CSS query, or of an XPath one (a query starting with ``/`` or ``(``), once per page."""
        return self._queries(query, css=not query.startswith(("/", "(")))

    def _css_texts(self, queries: tuple[str, ...]) -> list[str]:
        for query in queries:
            texts = [t for t in map(node_text, self._queries(query)) if t and len(t) <= 100]
            if texts:
                return texts
        return []


class ArticleV2021(ArticleGeneric):
    """The template of the seed page: no JSON-LD, facts in ``reporter__nama``/``frontdate``.

    Public scrapers of the live site (2026) read the body from the ``<div>`` before the first ``<article>`` and
    treat ``div.artikelend`` as an end marker: all of them are candidates, the text decides.
    """

    name = "v2021"
    TITLE_CSS = ("div.detail h1", "h1.title", "h1")
    LEAD_CSS = ("div.detail .lead",)
    AUTHOR_CSS = (".reporter__nama",)  # avatar and byline both name the reporter: the pipeline keeps one
    DATE_CSS = ("div.frontdate", ".frontdate")
    # the div just before the first <article>: where a public scraper of the live site (2026) reads the body
    BODY_CSS = ("div.artikelend", "div.detail article", "article", "(//article)[1]/preceding-sibling::div[1]")

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
    ALSO = (".article__time, .article__byline, .article__summary",)  # ".article__body" alone is a common BEM class


class ArticleAmp(ArticleGeneric):
    """The AMP edition (``/amp/<section>/<slug>-<id>``): server-rendered title, lead, image, caption and body,
    no reporter or date (SITE.md's stored copies). The lead is the block right after the headline."""

    name = "amp"
    TITLE_CSS = ("h1",)
    LEAD_CSS = ("//h1/following-sibling::*[1][self::p or self::div or self::h2]",)
    IMAGE_SRC = ("//article//amp-img/@src", "//main//amp-img/@src")
    CAPTION_CSS = ("figure figcaption",)

    MARKERS = ("html[amp]",)


LAYOUTS: tuple[type[ArticleGeneric], ...] = (ArticleAmp, ArticleCurrent, ArticleV2021, ArticleGeneric)


def pick_layout(sel: Selector, url: str) -> ArticleGeneric:
    """The newest layout whose markup matches; ``ArticleGeneric`` always does."""
    queries = PageQueries(sel)
    return next(page for page in (layout(sel, url, queries) for layout in LAYOUTS) if page.matches())


def extract_article(sel: Selector, url: str) -> ArticlePage | None:
    """The article on this page (``sel`` best from ``parse_html``), or ``None`` when it positively is not one."""
    page = pick_layout(sel, url)
    return page.extract() if page.is_article() else None


def html_tree(root: Any) -> lxml.html.HtmlElement:
    """A copy of our page made of lxml.html's elements, which trafilatura wants (it calls ``text_content()``).

    The page is parsed once with lxml's plain element classes (no Python lookup per element for our readers);
    its children, copied in C under a root of ``_HTML_ELEMENTS``'s document, take ``HtmlElement`` from that
    document: no serialising for trafilatura to parse the page again (0.44 ms against 1.8 ms a page on the
    real pages), and trafilatura's passes over the copy skip lxml.html's Python lookup per element
    (``HtmlElement`` for every tag: trafilatura calls no form element's method). What trafilatura never reads
    is left out of the copy, so that its XPath passes over the raw page do not walk it: ``<svg>`` (an inline
    icon is dozens of elements), ``<style>``, the head's ``<meta>``/``<link>``/``<title>``, scripts other
    than JSON-LD. Its ``tree_cleaning`` deletes them all before it extracts, its page-text measure
    (``basic_cleaning``) reads the body without them, and it reads scripts only for JSON-LD (a forum thread's
    type, an ``articleBody``). Its fast readings are the same on the 915 real pages of both corpora where it
    runs; a few of its other passes measure text with ``text_content()`` before its cleaning, where a style
    sheet's text or the head's counted as page text (4 of WCXB's 1,869 pages read differently, 3 better).
    """
    tree = etree.fromstring("<html></html>", _HTML_ELEMENTS)
    tree.attrib.update(root.attrib)
    tree.extend(deepcopy(child) for child in root)
    json_ld = _JSON_LD(tree)
    for script in json_ld:  # kept from the strip below, which takes every other script in C
        script.tag = "json-ld"
    etree.strip_elements(tree, "svg", "style", "script", with_tail=False)  # the text after each stays
    for script in json_ld:
        script.tag = "script"
    for head in tree.iterchildren("head"):
        for element in [child for child in head if child.tag != "script"]:
            element.drop_tree()  # the text after it stays
    return tree


def trafilatura_paragraphs(tree: lxml.html.HtmlElement, url: str, fast: bool = True) -> list[str]:
    """trafilatura's reading of the page (``html_tree``; it reads a copy): ``fast`` without its readability/jusText
    fallbacks (its own code, for less work: ``trafilatura_reading``)."""
    extracted = (fast_reading(tree, url) if fast
                 else trafilatura.extract(tree, url=url, fast=False, include_comments=False))
    return [p for p in (clean_text(line) for line in (extracted or "").split("\n")) if p]


def agreed_paragraphs(theirs: list[str], ours: list[str], agreed: bool | None = None) -> list[str]:
    """The generic rung: our region's blocks, kept where trafilatura's reading agrees.

    Trafilatura (F1 0.955 on the benchmark's 181 real pages) finds the body of
    pages it has never seen; our region (``ours``, boilerplate already dropped by
    structure) knows where the article text is. When most of trafilatura's text
    lies in our region they agree on where the body is: our blocks that its
    reading also holds are the body, in our form (a list item, a table cell stays
    a block; trafilatura writes "- item" and "| a | b |"), so a block of the
    region it leaves out (a caption, a widget's label) goes. When they disagree,
    trafilatura stands, unless its reading is mostly short lines (a menu) and
    ours is not, or the rows of a layout table holding our region; when it
    finds nothing, our region does. ``agreed``: ``agrees(theirs, ours)`` when the caller has it already.
    """
    if not theirs:
        return ours
    if not (agrees(theirs, ours) if agreed is None else agreed):
        # trafilatura found its body elsewhere, unless its reading is a menu (mostly short lines) or a layout
        # table (mostly table rows) holding our region
        return ours if _menu_share(theirs) >= MENU > _menu_share(ours) or _layout_table(theirs, ours) else theirs
    pieces = {piece for line in theirs for piece in _pieces(line)}
    text = " ".join(theirs)
    return [b for b in ours if b in pieces or (len(b) >= MIN_SHARED_CHARS and b in text)]


def agrees(theirs: list[str], ours: list[str]) -> bool:
    """Does most of trafilatura's text lie in our region?"""
    region = " ".join(ours)
    exact = set(ours)
    kept = [p for p in theirs if p in exact or (len(p) >= MIN_SHARED_CHARS and p in region)]
    return sum(map(len, kept)) >= AGREEMENT * sum(map(len, theirs))


def with_twin_chunks(region: Any, body: list[str], ours: list[str]) -> list[str]:
    """The agreed body, plus the prose of the chunks repeating one it kept.

    A CMS that cuts an article into repeated sibling chunks (same tag and class,
    each holding text, ads between them) makes trafilatura's reading stop after
    the first; a chunk the agreed body kept nearly whole vouches for its twins.
    """
    kept = set(body)
    extra: set[str] = set()
    for chunks in _twin_chunks(region):
        blocks = [text_blocks(chunk) for chunk in chunks]
        if sum(_chars(b) >= MIN_BODY_CHARS for b in blocks) < 2:
            continue
        if any(b and _chars([x for x in b if x in kept]) >= TWIN_KEPT * _chars(b) for b in blocks):
            extra.update(x for b in blocks for x in b if len(x) >= TWIN_BLOCK_CHARS)
    return [b for b in ours if b in kept or b in extra] if extra else body


def _twin_chunks(region: Any) -> Iterator[list[Any]]:
    """Groups of two or more sibling containers under ``region`` with the same tag and class."""
    groups: dict[tuple[Any, str, str], list[Any]] = {}
    for element in region.iter(*TWIN_CHUNK_TAGS):
        if element is not region and (cls := element.get("class")):
            groups.setdefault((element.getparent(), element.tag, cls), []).append(element)
    return (chunks for chunks in groups.values() if len(chunks) >= 2)


def _layout_table(theirs: list[str], ours: list[str]) -> bool:
    """Is trafilatura's reading a page laid out in a table, read as rows, that holds most of our region?"""
    if _chars([line for line in theirs if line.startswith("|")]) < TABLE_ROWS * _chars(theirs):
        return False
    text = " ".join(piece for line in theirs for piece in _pieces(line))
    return _chars([b for b in ours if b in text]) >= REGION_HELD * _chars(ours)


def _comment_section(node: Any) -> Any | None:
    """The readers' comment section ``node`` lies in (by class or id: ``comments``, ``comment-list``…), if any:
    the outermost of nested comment containers."""
    sections = [element for element in chain((node,), node.iterancestors()) if _is_comment_container(element)]
    return sections[-1] if sections else None


def _is_comment_container(element: Any) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return ("omment" in names or "isqus" in names) and any(map(_COMMENT_NAME.fullmatch, names.split()))


def _menu_share(lines: list[str]) -> float:
    """The share of a text's characters in short lines."""
    return sum(len(line) for line in lines if len(line) < MENU_LINE) / (_chars(lines) or 1)


def _pieces(line: str) -> list[str]:
    """A trafilatura text line without its list or table markup: the item, or each cell."""
    if line.startswith("|"):
        return [cell for cell in map(clean_text, line.strip("|").split("|")) if cell]
    return [line[2:] if line.startswith(("- ", "* ")) else line]


def _chars(blocks: list[str]) -> int:
    return sum(map(len, blocks))


def _byline_or_title_test(page: ArticlePage) -> Callable[[str], bool]:
    """Does a body block only repeat the headline or name the authors (a byline inside the body)?"""
    title = page.title.casefold() if page.title else None
    names = {n.casefold() for n in page.authors}
    longest = max(map(len, page.authors), default=0) * len(names) + 10 * len(names)  # names and separators

    def test(block: str) -> bool:
        if block.casefold() == title:
            return True
        if not names or len(block) > longest + 20:  # longer than every author named, with a label
            return False
        match = _BYLINE.match(block)
        text = (match["names"] if match else block).casefold()
        return text in names or set(_NAME_LIST.split(text)) <= names

    return test


def _blocks_before(headline: Any, body: Any) -> Iterator[str]:
    """Text blocks after the headline and before the body, in page order, captions and widgets skipped.

    Nothing when the headline sits inside the body (what follows it is the body).
    """
    stop = {body, *body.iterancestors()}
    node = headline
    if any(ancestor is body for ancestor in headline.iterancestors()):
        return
    while node is not None and node not in stop:
        for sibling in node.itersiblings():
            if sibling in stop:  # the body, or an element holding it: read up to the body
                yield from _children_before(sibling, body, stop)
                return
            if not _is_widget(sibling):
                yield from text_blocks(sibling)
        node = node.getparent()


def _children_before(element: Any, body: Any, stop: set[Any]) -> Iterator[str]:
    if element is body:
        return
    for child in element:
        if child in stop:
            yield from _children_before(child, body, stop)
            return
        if not _is_widget(child):
            yield from text_blocks(child)


def _is_widget(element: Any) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag in _NOT_STANDFIRST_TAGS or bool(_NOT_STANDFIRST_CLASS.search(element.get("class") or ""))


def _names_an_editor(node: Any) -> bool:
    """Does the raw text of ``node`` (libxml2's, no Python walk), lower-cased, name an editor? Its blocks are read
    only then.

    Asked of libxml2's UTF-8 bytes lower-cased as ASCII: ``str.lower`` of a text holding one non-ASCII character
    ("×", a curly quote) looks every character up in the Unicode tables (~8 µs for a replica page's text). The
    two non-ASCII letters it lowers to ASCII ones are "İ" (an "i" and a combining dot: in none of these words)
    and the Kelvin sign ("k"), read through ``str.lower`` when present.
    """
    raw = etree.tostring(node, method="text", encoding="utf-8").lower()
    if _KELVIN in raw:
        return any(word in raw.decode("utf-8").lower() for word in _EDITOR_WORDS)
    return any(word.encode() in raw for word in _EDITOR_WORDS)


def _is_standfirst(block: str, headline: str | None) -> bool:
    if len(block) < 40 or len(block) > 600 or len(block.split()) < 6 or block == headline:
        return False
    if _BYLINE.match(block) or _EDITOR_LINE.match(block) or boilerplate_rule(block):
        return False
    date = find_datetime(block) if len(block) < 120 else None  # a dateline or a byline with a date
    return date is None


def _is_date_only(text: str) -> bool:
    found = find_datetime(text) if text and len(text) <= 60 else None
    return found is not None and len(text.replace(found.raw, "").strip(" ,|·•-–—/")) <= 2


def _looks_like_names(text: str) -> bool:
    """"Andi Saputra", "Andi Saputra, Budi Santoso dan Citra Lestari": capitalised words and name separators."""
    words = [w for w in _NAME_LIST.split(text) for w in w.split()]
    return (2 <= len(words) <= 16 and len(text) <= 120 and not any(c.isdigit() for c in text)
            and all(w[0].isupper() and not w.isupper() for w in words if len(w) > 1 or w.isalpha()))


def _date_in(text: str | None) -> str | None:
    """The part of ``text`` that is a date ("Nadia Lutfiana Mawarni Jumat, 31 Des 2021 13:15 WIB" -> the date)."""
    found = find_datetime(text) if text else None
    return found.raw if found else None


def _editor_name(line: str | None) -> str | None:
    match = _EDITOR_LINE.match(line or "")
    return clean_text(match["name"]) if match else None


def _one_string(value: Any) -> str | None:
    """A JSON-LD value that should be one string (some sites give a list)."""
    return next(iter(strings_of(value)), None)


def _keywords(value: Any) -> list[str]:
    """JSON-LD ``keywords``: a comma list, a list of strings, of objects, of lists."""
    return [k for s in strings_of(value) for k in map(clean_text, s.split(",")) if k]


def _image_url(image: Any) -> str | None:
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url") or image.get("contentUrl")
    return _one_string(image)


def _image_caption(image: Any) -> str | None:
    if isinstance(image, list):
        image = image[0] if image else None
    return _one_string(image.get("caption")) if isinstance(image, dict) else None


def _ld_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("@id") or value.get("url")
    return value if isinstance(value, str) else None


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
