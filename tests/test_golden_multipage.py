"""Golden files of articles over several pages: the saved pages become exactly their one expected item."""

import json

import pytest

from tests.golden.multipage_case import FOLDER, item_from_pages, load_meta, page_files

META = load_meta()


@pytest.mark.parametrize("case", sorted(META))
def test_saved_pages_become_one_item_with_every_page_in_order(case):
    entry = META[case]
    expected = json.loads((FOLDER / f"{case}.json").read_text(encoding="utf-8"))
    actual, asked = item_from_pages(case, entry["url"])
    assert actual is not None, f"{case}: no item"
    assert sorted(actual) == sorted(expected)
    for field in expected:
        assert actual[field] == expected[field], f"{case}: field {field}"
    assert asked == [f"{entry['url']}?page={n}" for n in range(2, entry["pages"] + 1)]


@pytest.mark.parametrize("case", sorted(META))
def test_every_page_adds_its_own_paragraphs_and_no_pager_text(case):
    expected = json.loads((FOLDER / f"{case}.json").read_text(encoding="utf-8"))
    paragraphs = expected["body"].split("\n\n")
    assert len(page_files(case)) == META[case]["pages"] >= 2
    assert len(paragraphs) == len(set(paragraphs))  # no page joined twice
    assert not any(p.startswith("Halaman") or "Selanjutnya" in p for p in paragraphs)
    last_page = page_files(case)[str(META[case]["pages"])].read_text(encoding="utf-8")
    assert paragraphs[-1] in last_page and paragraphs[0] not in last_page
