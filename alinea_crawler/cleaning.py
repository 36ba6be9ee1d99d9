"""Boilerplate rules: remove whole elements or whole lines, never substrings.

Two layers, both named so that every removal can be counted under
``alinea/boilerplate/<rule>``:

* ``ELEMENT_RULES`` drop elements from an article body by structure (class,
  tag) before its text is read — used by the page objects;
* ``LINE_RULES`` drop a body line only when the *entire* line is a known piece
  of chrome ("Sponsored", "sun", "×") — the fallback for layouts whose markup
  we do not know, applied by the cleaning pipeline.

"layanan 5×24 jam" or a sentence about "sponsored content" is never touched:
no rule looks inside a line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from parsel import Selector

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_css_to_xpath = HTMLTranslator().css_to_xpath

# rule name -> CSS selector of elements that are never article text.
ELEMENT_RULES: dict[str, str] = {
    "ad_slot": ".ads-slot, .ads, .advertisement, ins.adsbygoogle, [id^='div-gpt-ad']",
    "baca_juga": ".baca-juga, .related-inline",
    # "Baca juga:" paragraph without a class: <p><strong>Baca juga:</strong> <a>…</a></p>
    "baca_juga_label": ".//p[(strong|b)[starts-with(normalize-space(translate(., 'BACJUG', 'bacjug')), 'baca juga')]]",
    "figure": "figure, figcaption, .caption",
    "editor_line": ".article__editor, .editor",
    "author_bio": ".author-bio",
    "related_list": ".berita-lainnya",
    "script": "script, style, noscript, iframe",
    "share_widget": ".share, .social-share",
}

# rule name -> pattern a whole (lower-cased, white-space-collapsed) line must match.
LINE_RULES: dict[str, re.Pattern[str]] = {
    "ad_label": re.compile(r"(sponsored|advertisement|iklan|scroll to continue with content)"),
    "theme_toggle": re.compile(r"(sun|moon)"),
    "logo_text": re.compile(r"(a l i n e a dot id|logo alinea\.id|alinea\.id)"),
    "tagline": re.compile(r"fakta data kata"),
    "popup_close": re.compile(r"[×✕x]"),
    "widget": re.compile(r"tekid"),
    "related_heading": re.compile(r"berita lainnya"),
    "baca_juga": re.compile(r"baca juga\s*:.*"),
}


def _rule_xpath(query: str) -> str:
    return query if query.startswith(".//") else _css_to_xpath(query, prefix=".//")


def _self_test(query: str) -> etree.XPath:
    """Does this very element match the rule? (the rule's XPath on the ``self`` axis)"""
    if query.startswith(".//"):
        return etree.XPath("self::" + query[3:])
    return etree.XPath(_css_to_xpath(query, prefix="self::"))


# One pass finds every candidate in document order; each is then named by the first rule it matches.
_ANY_RULE = etree.XPath(" | ".join(_rule_xpath(q) for q in ELEMENT_RULES.values()))
_RULE_TESTS = {rule: _self_test(query) for rule, query in ELEMENT_RULES.items()}


def drop_boilerplate_elements(container: Selector) -> Counter[str]:
    """Remove every ELEMENT_RULES match inside ``container`` (in place, on its lxml tree)."""
    removed: Counter[str] = Counter()
    root = container.root
    for element in _ANY_RULE(root):
        if root in element.iterancestors():  # not inside one dropped already
            rule = next(rule for rule, matches in _RULE_TESTS.items() if matches(element))
            element.drop_tree()  # what Selector.drop does to an HTML element
            removed[rule] += 1
    return removed


# All LINE_RULES as one pattern of named alternatives: one match per line, whatever the number of rules.
_ANY_LINE_RULE = re.compile("|".join(f"(?P<{rule}>{pattern.pattern})" for rule, pattern in LINE_RULES.items()))


def boilerplate_rule(line: str) -> str | None:
    """The LINE_RULES name that the whole line matches, else ``None``."""
    match = _ANY_LINE_RULE.fullmatch(" ".join(line.split()).lower())
    return match.lastgroup if match else None


@dataclass
class CleanText:
    text: str
    removed: Counter[str]


def clean_paragraphs(paragraphs: list[str]) -> CleanText:
    """Join kept paragraphs with a blank line; count the lines dropped."""
    removed: Counter[str] = Counter()
    kept = []
    for paragraph in paragraphs:
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        rule = boilerplate_rule(paragraph)
        if rule:
            removed[rule] += 1
        else:
            kept.append(paragraph)
    return CleanText("\n\n".join(kept), removed)
