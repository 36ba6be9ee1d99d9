"""trafilatura's fast reading of a page, its own code with its regex XPaths answered in Python.

``fast_reading(tree, url)`` returns exactly what ``trafilatura.extract(tree, url=url, fast=True,
include_comments=False)`` returns (trafilatura 2.3.1, the version pinned in requirements.txt; Apache-2.0),
for less than half the work: the generic rung asks it of every page no known layout reads. Its main
extractor (``extract_content`` and what it calls: ``_extract``, ``prune_unwanted_sections``,
``recover_wild_text``) and its ``baseline`` run as they are, their code rebound to a copy of their module's
namespace in which the XPaths that call EXSLT's ``re:test`` (``BODY_XPATH``, ``OVERALL_DISCARD_XPATH``,
``BASIC_CLEAN_XPATH``; with them the caption and teaser prunes) are Python functions returning the same
elements in the same order. lxml answers ``re:test`` by calling back into Python for each element tested
(~3 µs each: those XPaths were a third of its time on real pages); a walk of the tags the XPath names,
testing the same attributes with the same regular expressions (``re.search``, as lxml's EXSLT does;
``@id|@class`` is the value of whichever of the two the element carries first, XPath's document order), costs
a fraction of that, and a ``BODY_XPATH`` rung stops at its first match. What ``extract`` does around them is
composed here for these options only (``_sequence``, ``fast_reading``): its raw-tree prunes done on the given
tree and undone after instead of on a copy of the whole page, no backup copy of the cleaned tree (only its
full reading reads it), its recall escalation's page-text measure on the tree itself (undone after) and only
as far as it decides, the ``Extractor`` options built once. Nothing it computes for the text is skipped:
metadata, language, deduplication and comments are off in these options anyway.

Its public ``extract`` still serves the full reading (``fast=False``). Tied to trafilatura 2.3.1: the rebound
functions are its code and the rest follows its ``bare_extraction`` and ``trafilatura_sequence``; the
answers are checked against its XPaths element by element and the whole reading against its ``extract``
(``tests/test_trafilatura_reading.py``; every field identical on the 2,350 pages of ``bench.same_output``).
A new trafilatura version means checking both again.
"""

from __future__ import annotations

import importlib
import logging
import re
import types
from collections.abc import Callable
from copy import copy
from typing import Any

import lxml.html
from lxml import etree
from lxml.etree import Element
from trafilatura import core as _core_module
from trafilatura import main_extractor as _main_module
from trafilatura import xpaths as _xpaths
from trafilatura.metadata import Document
from trafilatura.settings import _COOKIE_CONSENT_RE, Extractor
from trafilatura.utils import remove_control_characters

from ..cleaning import drop_element

Elements = list[Any]
LOGGER = logging.getLogger(__name__)
# the module: ``trafilatura.baseline`` is also the name of its function
_baseline_module = importlib.import_module("trafilatura.baseline")

# -- the regex XPaths, answered in Python --------------------------------------------------------------


def _search(pattern: str, flags: int = 0, needles: tuple[str, ...] = ()) -> Callable[[str | None], bool]:
    """lxml's EXSLT ``re:test(value, pattern[, 'i'])``: ``re.search`` (``re.UNICODE``, case folded for 'i'). A
    missing attribute is XPath's empty string, which none of these patterns matches (checked here). With
    ``needles`` (strings every match of a case-sensitive pattern contains), a value holding none is not asked."""
    search = re.compile(pattern, re.UNICODE | flags).search
    if search(""):
        raise ValueError(f"{pattern!r} matches an empty attribute")
    if not needles:
        return lambda value: bool(value) and search(value) is not None

    def test(value: str | None) -> bool:
        if value:
            for needle in needles:
                if needle in value:
                    return search(value) is not None
        return False
    return test


def _first_of(element: Any, first: str, one: str | None, second: str, other: str | None) -> str:
    """XPath's string value of ``@first|@second`` (their values ``one``, ``other``): the one the element carries
    first in its markup, else ""."""
    if one is None:
        return other or ""
    if other is None:
        return one
    names = element.keys()
    return one if names.index(first) < names.index(second) else other


def _matching(tags: tuple[str, ...] | None, test: Callable[[Any], bool]) -> Callable[[Any], Elements]:
    """``.//*[self::a or self::b …][test]``: the descendants of those tags (any element: None) that pass."""
    tags_or_elements = tags or (etree.Element,)
    return lambda tree: [element for element in tree.iterdescendants(*tags_or_elements) if test(element)]


def _first_matching(tags: tuple[str, ...], test: Callable[[Any], bool]) -> Callable[[Any], Elements]:
    """``(.//*[self::a …][test])[1]`` (and ``.//*[…][test][1]``, whose first in document order is the same)."""
    def first(tree: Any) -> Elements:
        found = next((element for element in tree.iterdescendants(*tags) if test(element)), None)
        return [] if found is None else [found]
    return first


_MVP_ADD = _search("mvp-post-add-(?:box|wrap)", needles=("mvp-post-add-",))
_APPENDED = _search("mvp-post-add-(?:box|wrap)|infinite-?scroll", needles=("mvp-post-add-", "scroll"))


def _appended_articles(e: Any) -> bool:
    """``RAW_TREE_PRUNE_XPATH``'s first: infinite-scroll containers, unless a generic one holds the headline."""
    id_, class_ = e.get("id"), e.get("class")
    return ((_APPENDED(id_) or _APPENDED(class_))
            and (e.find(".//h1") is None or _MVP_ADD(id_) or _MVP_ADD(class_)))


_RAW_TREE_PRUNE = [
    _matching(("div", "section", "aside"), _appended_articles),
    _matching(("div", "section", "aside"), lambda e: "elementor-share-buttons" in e.get("class", "")),
]

_COMMENTS_ID = _search(r"^(?:[Cc]omment(?!ary)|comol)", needles=("omment", "comol"))
_COMMENTS_OR_DISQUS_ID = _search(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)",
                                 needles=("omment", "comol", "disqus_thread", "dsq-comments"))
_COMMENTS_CLASS = _search(r"^[Cc]omment(?!ary)|(?:article|post)-comments", needles=("omment",))


def _comments(e: Any) -> bool:
    """``REMOVE_COMMENTS_AND_LISTS_XPATH``: comment sections, and lists named as comments."""
    id_, class_ = e.get("id"), e.get("class")
    if id_ is None and class_ is None:
        return False
    return ((_COMMENTS_OR_DISQUS_ID(id_) or _COMMENTS_CLASS(class_))
            and (e.tag not in ("ol", "ul") or _COMMENTS_ID(id_) or _COMMENTS_CLASS(class_)))


_REMOVE_COMMENTS_AND_LISTS = [_matching(("div", "list", "section", "details", "ol", "ul"), _comments)]

_CONTENT_TAGS = ("article", "div", "main", "section")
_ARTICLE_ID = _search(_xpaths._alt(_xpaths._ARTICLE_CONTENT_ID_TOKENS))
_ARTICLE_CLASS = _search(_xpaths._alt(_xpaths._ARTICLE_CONTENT_CLASS_TOKENS))
_STORY_ID = _search(_xpaths._alt(_xpaths._STORY_ID_TOKENS))
_FULLTEXT = _search("fulltext", re.IGNORECASE)
_STORY_CLASS = _search(_xpaths._alt(_xpaths._STORY_CLASS_TOKENS))
_MAIN_ID = _search(_xpaths._alt(_xpaths._MAIN_CONTENT_ID_TOKENS))
_MAIN_CLASS = _search(_xpaths._alt(_xpaths._MAIN_CONTENT_CLASS_TOKENS))
_LOWER_CM = str.maketrans("CM", "cm")
_LOWER_CP = str.maketrans("CP", "cp")


def _article_content(e: Any) -> bool:
    """``BODY_XPATH``'s first: the article's content by its class, id or ``itemprop``."""
    id_, class_ = e.get("id"), e.get("class")
    return (class_ in ("post", "entry") or e.get("itemprop") == "articleBody" or id_ == "articleContent"
            or _ARTICLE_ID(id_) or _ARTICLE_CLASS(class_))


def _story(e: Any) -> bool:
    """``BODY_XPATH``'s third: a story's container."""
    id_, class_ = e.get("id"), e.get("class")
    return (e.get("role") == "article" or id_ in ("article", "story")
            or class_ in ("postarea", "art-postcontent", "text", "cell", "story")
            or _STORY_ID(id_) or _FULLTEXT(class_) or _STORY_CLASS(class_))


def _main_content(e: Any) -> bool:
    """``BODY_XPATH``'s fourth: the page's main content."""
    id_, class_ = e.get("id"), e.get("class")
    if id_ is None and class_ is None:
        return False
    return (id_ == "content" or class_ == "content" or _MAIN_ID(id_) or _MAIN_CLASS(class_)
            or "main-content" in (id_ or "").translate(_LOWER_CM)
            or "main-content" in (class_ or "").translate(_LOWER_CM)
            or "page-content" in (class_ or "").translate(_LOWER_CP))


def _main_or_first_main_named(tree: Any) -> Elements:
    """``BODY_XPATH``'s last, ``(.//*[self::article or self::div or self::section][starts-with(@class|@id|@role,
    'main')])[1]|(.//main)[1]``: whichever comes first."""
    for element in tree.iterdescendants("article", "div", "section", "main"):
        if element.tag == "main" or any(element.get(name, "").startswith("main") for name in ("class", "id", "role")):
            return [element]
    return []


_BODY = [
    _first_matching(_CONTENT_TAGS, _article_content),
    _first_matching(("article",), lambda e: True),
    _first_matching(_CONTENT_TAGS, _story),
    _first_matching(_CONTENT_TAGS, _main_content),
    _main_or_first_main_named,
]

_CONSENT = _search(_xpaths._alt(_xpaths._CONSENT_ID_CLASS_TOKENS), needles=_xpaths._CONSENT_ID_CLASS_TOKENS)
_DISCARD_ID = _search(_xpaths._alt(_xpaths._OVERALL_DISCARD_BOTH_TOKENS + _xpaths._OVERALL_DISCARD_ID_TOKENS))
_DISCARD_CLASS = _search(_xpaths._alt(_xpaths._OVERALL_DISCARD_BOTH_TOKENS + _xpaths._OVERALL_DISCARD_CLASS_TOKENS))
_HIDDEN = _search("hidden", needles=("hidden",))
_REPLY_ID = _search("reader-comments|akismet", needles=("reader-comments", "akismet"))
_HIDDEN_CLASS = _search("^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print"
                        "| hidden| hide|noprint|notloaded",
                        needles=("hid", "comments", "-reply-", "message", "akismet", "suggest-links", "noprint",
                                 "notloaded"))


def _boilerplate(e: Any) -> bool:
    """``OVERALL_DISCARD_XPATH``'s first: navigation, sharing, ads, footers, bylines, related links …"""
    id_, class_ = e.get("id"), e.get("class")
    return (e.get("data-lp-replacement-content") is not None or "nav" in e.get("role", "").replace("N", "n")
            or "MostPopularStories" in e.get("data-component", "")
            or _CONSENT(_first_of(e, "id", id_, "class", class_)) or _DISCARD_ID(id_) or _DISCARD_CLASS(class_))


def _hidden_or_reply(e: Any) -> bool:
    """``OVERALL_DISCARD_XPATH``'s second: hidden elements, reply forms, comment titles."""
    id_, class_, style = e.get("id"), e.get("class"), e.get("style")
    if id_ is None and class_ is None and style is None:
        return e.get("aria-hidden") == "true"
    return (class_ == "comments-title"
            or ((id_ or "").startswith("reply-") or (class_ or "").startswith("reply-"))
            and _first_of(e, "id", id_, "class", class_).startswith("reply-")
            or _HIDDEN(id_ if style is None else style if id_ is None else _first_of(e, "id", id_, "style", style))
            or style is not None and ("display:none" in style or "display: none" in style)
            or _REPLY_ID(id_) or _HIDDEN_CLASS(class_) or e.get("aria-hidden") == "true")


_SECTION_TAGS = ("div", "item", "list", "p", "section", "span")
_OVERALL_DISCARD = [_matching(_SECTION_TAGS, _boilerplate), _matching(None, _hidden_or_reply)]


def _named(word: str, fold: tuple[str, str] = ("", "")) -> Callable[[Any], bool]:
    """``contains(translate(@id, …), word) or contains(translate(@class, …), word)``."""
    def test(e: Any) -> bool:
        id_, class_ = e.get("id"), e.get("class")
        return (id_ is not None and word in id_.replace(*fold)) or (class_ is not None and word in class_.replace(*fold))
    return test


# no regex, but walked by libxml2 once per element of the body for each condition: as cheap in one Python test
_DISCARD_IMAGE_ELEMENTS = [_matching(_SECTION_TAGS, _named("caption"))]
_TEASER_DISCARD = [_matching(_SECTION_TAGS, _named("teaser", ("T", "t")))]

_BLOCK_ELEMENTS = tuple(sorted(_baseline_module._BLOCK_ELEMS))
_CLEANED_TAGS = frozenset({"aside", "fencedframe", "footer", "script", "style", "svg", "template"})
_COOKIE_CONSENT = _search(_COOKIE_CONSENT_RE, re.IGNORECASE)
_CONSENT_WORDS = ("cookie", "consent", "borlabs", "cmplz", "onetrust", "moove")  # one is in every match


def _consent_banner(value: str | None) -> bool:
    """``re:test(value, _COOKIE_CONSENT_RE, 'i')``; an ASCII value without one of its words is not asked (the
    case folding of a pattern letter to a non-ASCII character, K to the Kelvin sign, needs one in the value)."""
    if not value:
        return False
    if value.isascii():
        lowered = value.lower()
        for word in _CONSENT_WORDS:
            if word in lowered:
                return _COOKIE_CONSENT(value)
        return False
    return _COOKIE_CONSENT(value)


def _basic_clean(tree: Any) -> Elements:
    """``BASIC_CLEAN_XPATH``: asides, footers, scripts, styles, svg, templates, footer divs, consent banners."""
    found = []
    for e in tree.iterdescendants(etree.Element):
        tag = e.tag
        if tag in _CLEANED_TAGS:
            found.append(e)
            continue
        class_, id_ = e.get("class"), e.get("id")
        if class_ is None and id_ is None:
            continue
        if (tag == "div" and "footer" in _first_of(e, "class", class_, "id", id_)
                or _consent_banner(class_) or _consent_banner(id_)):
            found.append(e)
    return found


# -- trafilatura's functions, rebound --------------------------------------------------------------------


def _rebind(functions: tuple[Callable, ...], module: types.ModuleType, **names: Any) -> dict[str, Any]:
    """``functions`` (of ``module``) with their code unchanged, reading their globals from a copy of the
    module's namespace where ``names`` replace trafilatura's; they call each other's rebound versions."""
    namespace = {**vars(module), **names}
    for function in functions:
        rebound = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                                     function.__closure__)
        rebound.__kwdefaults__ = function.__kwdefaults__
        namespace[function.__name__] = rebound
    return namespace


class _Undo:
    """Changes made to a tree, recorded to be undone in reverse order: text writes, and trafilatura's
    ``delete_element`` (``drop_tree``: ``cleaning.drop_element``) with each of its writes recorded."""

    def __init__(self) -> None:
        self.steps: list[tuple[Any, str, Any]] = []

    def set(self, element: Any, name: str, value: str) -> None:
        self.steps.append((element, name, getattr(element, name)))
        setattr(element, name, value)

    def delete(self, element: Any) -> None:
        parent = element.getparent()
        if parent is None:
            return
        # its tail goes with it, and comes back with it; the text it leaves behind is written through set()
        self.steps.append((parent, "", (parent.index(element), element)))
        drop_element(element, self.set)

    def undo(self) -> None:
        for element, name, value in reversed(self.steps):
            if name:
                setattr(element, name, value)
            else:
                element.insert(*value)
        self.steps.clear()


def _prune(tree: Any, answers: list[Callable[[Any], Elements]], changes: _Undo) -> None:
    """trafilatura's ``prune_unwanted_nodes`` (no backup), each answer in turn, its deletions recorded."""
    for answer in answers:
        for element in answer(tree):
            changes.delete(element)


def _collapsed_length_bound(body: Any, blocks: Elements) -> int:
    """An upper bound of ``html2txt``'s length for ``body`` as it is: its collapsed text, one more character
    for each space ``_spaced_text`` adds around ``blocks``."""
    return len(" ".join(body.text_content().split())) + 2 * len(blocks)


def _under_page_share(tree: Any, chars: int) -> bool:
    """``chars < ESCALATION_PAGE_SHARE * len(html2txt(tree))``: does an extraction of ``chars`` characters cover
    little of the page (its recall escalation's test)?

    ``html2txt`` cleans a copy of the page's body (``basic_cleaning``), puts a space before each block
    element's text and after its end (``_spaced_text``, which also drops unprintable characters from those
    texts) and collapses white space. Here the cleaning is done on the tree itself and undone after, and each
    step only when it can decide: each space added lengthens the collapsed text by one character at most, a
    dropped character and a deleted element (a stretch of the text taken out) only shorten it, so the collapsed
    text plus two per block element bounds the measure from above, before the cleaning and after; where
    ``chars`` is not under that share of a bound, the answer is no (of the 67 pages measured on the shared
    benchmark, 48 before the cleaning, 7 more after it).
    """
    body = tree.find(".//body")
    if body is None:
        body = tree
    share = _core_module.ESCALATION_PAGE_SHARE
    if not chars < share * _collapsed_length_bound(body, list(body.iter(*_BLOCK_ELEMENTS))):
        return False  # the cleaning only takes text away: the bound of the page as it is holds
    changes = _Undo()
    try:
        for element in _basic_clean(body):
            changes.delete(element)
        blocks = list(body.iter(*_BLOCK_ELEMENTS))
        if not chars < share * _collapsed_length_bound(body, blocks):
            return False
        for element in blocks:
            changes.set(element, "text", f" {remove_control_characters(element.text)}" if element.text else " ")
            changes.set(element, "tail", f" {remove_control_characters(element.tail)}" if element.tail else " ")
        return chars < share * len(" ".join(body.text_content().split()))
    finally:
        changes.undo()


_BASELINE = _rebind((_baseline_module.basic_cleaning, _baseline_module.baseline),
                    _baseline_module, BASIC_CLEAN_XPATH=_basic_clean)
_MAIN = _rebind((_main_module.prune_unwanted_sections, _main_module.recover_wild_text, _main_module._extract,
                 _main_module.extract_content), _main_module,
                BODY_XPATH=_BODY, OVERALL_DISCARD_XPATH=_OVERALL_DISCARD,
                DISCARD_IMAGE_ELEMENTS=_DISCARD_IMAGE_ELEMENTS, TEASER_DISCARD_XPATH=_TEASER_DISCARD)
_extract_content, _baseline = _MAIN["extract_content"], _BASELINE["baseline"]
# what ``extract(tree, url=url, fast=True, include_comments=False)`` builds per call, but the url
_OPTIONS = Extractor(output_format="txt", fast=True, comments=False)


def _cleaned(tree: Any, options: Extractor, url: str | None) -> Any:
    """trafilatura's ``_prepare_tree`` without the backup copy, which its fast reading without comments never reads."""
    return _core_module.convert_tags(_core_module.tree_cleaning(copy(tree), options), options, url)


def _sequence(tree: Any, options: Extractor, url: str | None, changes: _Undo) -> tuple[Any, str]:
    """trafilatura's ``trafilatura_sequence`` as its fast reading without comments runs it (``focus``
    "balanced"): the raw tree's prunes (recorded in ``changes``, the only changes made to ``tree``: every other
    step copies it first), its main extractor on the cleaned copy, its baseline rescue, its recall escalation
    (the main extractor again, in recall mode, on a new copy). Its readability/jusText comparisons, the comments'
    reading and the forum posts' salvage belong to its other modes."""
    is_forum = _core_module._forum_thread_page(tree)
    _prune(tree, _RAW_TREE_PRUNE, changes)
    if not is_forum:  # comment sections go, but on a forum thread, where the posts sit in them
        _prune(tree, _REMOVE_COMMENTS_AND_LISTS, changes)
    postbody, text = _extract_content(_cleaned(tree, options, url), options)
    if len(text) < options.min_extracted_size:
        body, body_text, length = _baseline(tree)
        if length > len(text):
            postbody, text = body, body_text
    if 0 < len(text) < _core_module.ESCALATION_MAX_LENGTH and _under_page_share(tree, len(text)):
        recall = copy(options)
        recall.focus = "recall"
        retry_text = ""
        try:
            retry_body, retry_text = _extract_content(_cleaned(tree, recall, url), recall)
        except Exception as error:  # noqa: BLE001 - as trafilatura does: the retry is a try
            LOGGER.warning("recall retry failed: %s %s", error, url)
        if (len(retry_text) >= options.min_extracted_size
                and len(retry_text) > _core_module.ESCALATION_ACCEPT_RATIO * len(text)):
            postbody, text = retry_body, retry_text
    return postbody, text


def fast_reading(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """``trafilatura.extract(tree, url=url, fast=True, include_comments=False)``, the same text for less work;
    ``tree`` is left as it is.

    ``extract`` → ``bare_extraction`` with these options: no metadata, language or duplicate test, no tree
    size limit (``MAX_TREE_SIZE`` is unset in its configuration); its ``trafilatura_sequence`` (``_sequence``),
    nothing when the text is empty (``MIN_OUTPUT_SIZE``; no comments), then its ``determine_returnstring``.
    """
    options = copy(_OPTIONS)
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    changes = _Undo()
    try:
        postbody, text = _sequence(tree, options, url, changes)
    except (TypeError, ValueError):
        return None
    finally:
        changes.undo()
    if len(text) < options.min_output_size:
        return None
    document = Document()
    document.raw_text, document.commentsbody, document.body = text, Element("body"), postbody
    return _core_module.determine_returnstring(document, options)
