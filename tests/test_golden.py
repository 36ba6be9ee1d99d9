"""Golden files: every saved page becomes exactly its expected item, field by field."""

import json

import pytest

from alinea_crawler.pages.article import LAYOUTS
from tests.golden import GOLDEN, case_paths, item_from_html, load_meta
from tests.golden.amp_case import load_amp_meta

META = load_meta()
BOILERPLATE_LINES = {"sun", "moon", "a l i n e a dot id", "fakta data kata", "logo alinea.id", "Sponsored",
                     "Berita Lainnya", "×", "tekid"}


@pytest.mark.parametrize("case", sorted(META))
def test_page_becomes_its_expected_item(case):
    entry = META[case]
    html_path, json_path = case_paths(case, entry["layout"])
    expected = json.loads(json_path.read_text(encoding="utf-8"))
    actual = item_from_html(html_path.read_text(encoding="utf-8"), entry["url"])
    assert actual is not None, f"{case}: no item"
    assert sorted(actual) == sorted(expected)
    for field in expected:
        assert actual[field] == expected[field], f"{case}: field {field}"


def test_every_layout_owns_a_case_and_every_case_has_html_and_json():
    amp_cases = {"amp"} if load_amp_meta() else set()  # the AMP edition's cases live in golden/amp/
    assert {entry["layout"] for entry in META.values()} | amp_cases == {layout.name for layout in LAYOUTS}
    for case, entry in META.items():
        assert all(path.exists() for path in case_paths(case, entry["layout"])), case
    saved = {path.stem for path in (GOLDEN / "article").glob("*/*.html")}
    assert saved == set(META)


def test_expected_items_have_no_empty_required_fields_and_offset_dates():
    for case, entry in META.items():
        expected = json.loads(case_paths(case, entry["layout"])[1].read_text(encoding="utf-8"))
        assert expected["title"] and expected["body"] and expected["published_at"], case
        assert expected["published_at"][-6] in "+-", f"{case}: published_at without offset"


def test_seed_body_is_exactly_the_seed_paragraphs_and_nothing_of_the_boilerplate():
    seed_lines = (GOLDEN / "seed-article-rendered.txt").read_text(encoding="utf-8").splitlines()
    title = seed_lines[6]
    start, end = seed_lines.index(title, 12) + 1, seed_lines.index("Berita Lainnya")
    # white space is normalised (the seed has a no-break space after "Serikat")
    paragraphs = [" ".join(line.split()) for line in seed_lines[start:end] if line.strip() and line != "Sponsored"]

    entry = META["seed-biden-putin"]
    html_path, _ = case_paths("seed-biden-putin", entry["layout"])
    item = item_from_html(html_path.read_text(encoding="utf-8"), entry["url"])

    assert item["body"].split("\n\n") == paragraphs
    assert item["title"] == title
    assert item["lead"] == seed_lines[8]
    assert item["authors"] == ["Nadia Lutfiana Mawarni"]
    assert (item["published_at"], item["published_at_raw"]) == ("2021-12-31T13:15:00+07:00", "Jumat, 31 Des 2021 13:15 WIB")
    every_text = json.dumps(item, ensure_ascii=False)
    for line in BOILERPLATE_LINES - {title}:
        assert f'"{line}"' not in every_text and f"\\n{line}\\n" not in every_text
    assert not set(item["body"].split("\n\n")) & BOILERPLATE_LINES


def test_seed_page_renders_the_seed_text():
    """The saved seed page is a faithful rebuild: its visible text (and alt text), in order, is the seed's."""
    from parsel import Selector

    seed_text = (GOLDEN / "seed-article-rendered.txt").read_text(encoding="utf-8")
    seed = [" ".join(line.split()) for line in seed_text.splitlines() if line.strip()]
    html_path, _ = case_paths("seed-biden-putin", "v2021")
    sel = Selector(text=html_path.read_text(encoding="utf-8"))
    shown = [" ".join(t.split()) for t in sel.xpath("//body//text()[normalize-space()] | //body//img/@alt[normalize-space()]").getall()]
    byline = seed.index("Nadia Lutfiana Mawarni Jumat, 31 Des 2021 13:15 WIB")
    seed[byline:byline + 1] = ["Nadia Lutfiana Mawarni", "Jumat, 31 Des 2021 13:15 WIB"]
    assert shown == seed
