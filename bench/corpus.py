"""Body extraction on a second public corpus of real pages: WCXB's article pages, ours vs trafilatura.

    .venv/bin/python -m bench.corpus [--corpus PATH] [--split dev] [--worst 20] [--ids 0001,0042] [--dump DIR]

WCXB (Murrough Foley's Web Content eXtraction Benchmark, CC-BY-4.0, 2,008 pages
collected in 2025 from 1,613 domains, gold ``main_content`` reviewed by hand) labels
each page with a type; this script reads the pages of type ``article`` (793 in the
``dev`` split, 257 in ``test``). The corpus is never copied into this repository:
``--corpus`` is a checkout of it, or the git directory ``fetch`` brings (unpacked
once into ``~/.cache/alinea-bench/``).

Each page goes through what the crawl does to an article page (``bench.real_pages.ours``:
``extract_article`` on a fresh Selector, then the cleaning pipeline's line rules) and
through trafilatura's ``extract`` with its default settings, taking turns page by page.
The body is scored the way WCXB's own ``evaluate.py`` does: lower-cased ``\\w+`` words as
a multiset, precision and recall of their overlap with the gold text, F1 per page, and
the means over pages. A page we call "not an article" or that crashes scores 0.

Each run first compares our per-page F1 with the last result file (the pages that got better or
worse: what a change of rule did everywhere). Results go to ``bench/results/corpus.json`` (dev articles; another ``--split``/``--type`` writes
``corpus_<split>_<type>.json``) with every page's scores, word counts and diagnosis. A corpus
that cannot be found or unpacked, or ``--ids`` that match no page: one line on stderr, exit 1.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import REPO, RESULTS, print_table, write_result
from bench.real_pages import ours, timed, trafilatura_default

FETCHED = Path("/work/.mirror/Murrough-Foley+web-content-extraction-benchmark/repo")
CACHE = Path.home() / ".cache" / "alinea-bench"
WORD = re.compile(r"\w+")
LOW, VERY_LOW = 0.8, 0.3
CHANGED = 0.01  # a page's F1 moving this much between two runs is a change


def corpus_dir(path: Path | None) -> Path:
    """A directory holding ``dev/`` and ``test/``: ``path`` itself, or ``path`` (a git directory) unpacked into the cache."""
    path = path or (CACHE / "wcxb" if (CACHE / "wcxb").is_dir() else FETCHED)
    if (path / "dev" / "ground-truth").is_dir():
        return path
    if not (path / "HEAD").is_file():
        sys.exit(f"bench.corpus: {path} is neither a WCXB checkout nor its git directory (see bench/README.md)")
    commit = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    target = CACHE / f"wcxb-{commit[:12]}"
    if not target.is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="wcxb-unpacking-", dir=CACHE))  # renamed only once complete
        archive = subprocess.Popen(["git", "--git-dir", str(path), "archive", commit, "dev", "test"],
                                   stdout=subprocess.PIPE)
        untar = subprocess.run(["tar", "-x", "-C", str(scratch)], stdin=archive.stdout)
        if archive.wait() or untar.returncode:
            shutil.rmtree(scratch)
            sys.exit(f"bench.corpus: could not unpack {path} into {CACHE}")
        scratch.rename(target)
    return target


def load_pages(root: Path, split: str, page_type: str, ids: set[str] | None) -> tuple[dict[str, dict], dict[str, str]]:
    """Gold records ``{id: {url, gold, type}}`` of the wanted type and their HTML, by page id."""
    truth, pages = {}, {}
    for split_name in (["dev", "test"] if split == "all" else [split]):
        for gold_path in sorted((root / split_name / "ground-truth").glob("*.json")):
            key = gold_path.stem
            if ids and key not in ids:
                continue
            record = json.loads(gold_path.read_text(encoding="utf-8"))
            kind = page_type_of(record)
            if page_type != "all" and kind != page_type:
                continue
            truth[key] = {"url": record.get("url") or "", "gold": record["ground_truth"].get("main_content") or "",
                          "type": kind, "split": split_name}
            with gzip.open(root / split_name / "html" / f"{key}.html.gz", "rt", encoding="utf-8",
                           errors="replace") as handle:
                pages[key] = handle.read()
    return truth, pages


def page_type_of(record: dict) -> str:
    """The page type as WCXB's evaluate.py reads it: ``_internal.page_type`` (its ``primary``), else article."""
    kind = (record.get("_internal") or {}).get("page_type") or "article"
    kind = kind.get("primary", "article") if isinstance(kind, dict) else kind
    return "collection" if kind == "category" else kind


def words(text: str | None) -> list[str]:
    return WORD.findall(text.lower()) if text else []


def word_scores(predicted: str | None, gold: str) -> dict[str, float]:
    """WCXB's measure: precision, recall and F1 of the words both texts share, counted with repeats."""
    ours_words, gold_words = words(predicted), words(gold)
    if not gold_words:
        value = 0.0 if ours_words else 1.0
        return {"precision": value, "recall": value, "f1": value}
    overlap = sum((Counter(ours_words) & Counter(gold_words)).values())
    precision = overlap / len(ours_words) if ours_words else 0.0
    recall = overlap / len(gold_words)
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def gold_coverage(predicted: str | None, gold: str) -> list[bool]:
    """For each gold line (paragraph, heading, list item) in order, whether our body holds most (60%) of its words."""
    have = Counter(words(predicted))
    held = []
    for paragraph in (line for line in gold.splitlines() if words(line)):
        need = Counter(words(paragraph))
        held.append(sum((need & have).values()) >= 0.6 * sum(need.values()))
    return held


def runs(held: list[bool]) -> list[tuple[bool, int]]:
    """``[(True, 12), (False, 3), (True, 8)]``: 12 gold lines held, then 3 missed, then 8 held."""
    out: list[tuple[bool, int]] = []
    for value in held:
        out[-1:] = [(value, out[-1][1] + 1)] if out and out[-1][0] == value else [*out[-1:], (value, 1)]
    return out


def shown(spans: list[tuple[bool, int]], most: int = 16) -> str:
    text = " ".join(f"{count}{'+' if value else '-'}" for value, count in spans[:most])
    return text + (f" … ({len(spans) - most} runs more)" if len(spans) > most else "")


def diagnosis(body: str | None, outcome: str, gold: str, scores: dict[str, float]) -> str:
    """One line: what our body is, against the gold text of this page."""
    if body is None:
        return f"no body: {outcome}"
    p, r = scores["precision"], scores["recall"]
    held = gold_coverage(body, gold)
    spans = runs(held)
    if p >= 0.95 and r >= 0.95:
        kind = "close to gold"
    elif p < 0.5 and r < 0.5:
        kind = "different block: most of ours is not gold, most of gold is missing"
    elif r < p:
        kind = f"a fraction of gold: {sum(held)}/{len(held)} lines held"
        if len(spans) == 2:
            kind += ", the first ones only" if spans[0][0] else ", the last ones only"
        if p < 0.8:
            kind += ", plus other text"
    else:
        kind = "gold plus other text (boilerplate or a neighbouring block)"
    return (f"{kind}; ours {len(words(body))} words vs gold {len(words(gold))}; P {p:.2f} R {r:.2f}; "
            f"gold lines held/missed: {shown(spans)}")


def summary(per_page: dict[str, dict], name: str, ms: float) -> list:
    rows = [page[name] for page in per_page.values()]
    mean = {k: sum(row[k] for row in rows) / len(rows) for k in ("f1", "precision", "recall")}
    return [name, mean["f1"], mean["precision"], mean["recall"], ms,
            sum(row["f1"] < LOW for row in rows), sum(row["f1"] < VERY_LOW for row in rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="WCXB checkout or git directory (default: the cache, else what fetch brought)")
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--type", default="article", help="WCXB page type, or 'all' (default: article)")
    parser.add_argument("--ids", help="only these page ids, comma-separated (no result file is written)")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes; ms/page is the best pass's")
    parser.add_argument("--worst", type=int, default=0, help="print the N pages where we lose most to trafilatura")
    parser.add_argument("--dump", type=Path, help="write gold, ours and trafilatura's text of the --worst pages here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    ids = set(args.ids.split(",")) if args.ids else None
    root = corpus_dir(args.corpus)
    truth, pages = load_pages(root, args.split, args.type, ids)
    if not truth:
        sys.exit("bench.corpus: no page matches")
    outputs, ms = timed({"ours": ours, "trafilatura": trafilatura_default}, truth, pages, args.repeat)

    per_page = {}
    for key, record in truth.items():
        body, outcome = outputs["ours"][key]
        traf = outputs["trafilatura"][key]
        mine, theirs = word_scores(body, record["gold"]), word_scores(traf, record["gold"])
        per_page[key] = {"outcome": outcome, "gold_words": len(words(record["gold"])),
                         "ours_words": len(words(body)), "trafilatura_words": len(words(traf)),
                         "ours": {k: round(v, 4) for k, v in mine.items()},
                         "trafilatura": {k: round(v, 4) for k, v in theirs.items()},
                         "diagnosis": diagnosis(body, outcome, record["gold"], mine)}

    print(f"WCXB {args.split}, type {args.type}: {len(truth)} pages, "
          f"{len({urlsplit(record['url']).hostname for record in truth.values()})} hosts\n")
    rows = [summary(per_page, "ours", ms["ours"]), summary(per_page, "trafilatura", ms["trafilatura"])]
    print_table(["extractor", "F1", "precision", "recall", "ms/page", f"F1<{LOW}", f"F1<{VERY_LOW}"], rows)
    outcomes = Counter(page["outcome"] for page in per_page.values())
    print(f"\nour outcomes: {dict(outcomes)}; cost ratio ours/trafilatura {ms['ours'] / ms['trafilatura']:.2f}")

    losses = sorted(per_page, key=lambda k: per_page[k]["ours"]["f1"] - per_page[k]["trafilatura"]["f1"])
    if args.worst:
        print_worst(losses[:args.worst], per_page, truth)
    if args.dump:
        dump_texts(args.dump, losses[:args.worst or 20], truth, outputs)
    name = "corpus" if (args.split, args.type) == ("dev", "article") else f"corpus_{args.split}_{args.type}"
    compare_with(RESULTS / f"{name}.json", per_page)
    if ids:
        return
    write_result(name, {
        "corpus": f"WCXB, {root.name}", "split": args.split, "type": args.type,
        "pages": len(truth), "metric": "WCXB word-multiset precision/recall/F1, mean over pages",
        "ms_per_page": {"alinea_crawler": round(ms["ours"], 2), "trafilatura_default": round(ms["trafilatura"], 2)},
        "scores": {row[0]: {"f1": round(row[1], 4), "precision": round(row[2], 4), "recall": round(row[3], 4),
                            f"pages_f1_below_{LOW}": row[5], f"pages_f1_below_{VERY_LOW}": row[6]} for row in rows},
        "outcomes": dict(outcomes),
        "pages_by_loss": {key: per_page[key] for key in losses},  # our worst loss against trafilatura first
    })


def print_worst(keys: list[str], per_page: dict[str, dict], truth: dict[str, dict]) -> None:
    print(f"\nthe {len(keys)} pages where we lose most against trafilatura (F1 ours / theirs):")
    for key in keys:
        page = per_page[key]
        print(f"{key} {page['ours']['f1']:.2f}/{page['trafilatura']['f1']:.2f} {truth[key]['url']}\n"
              f"     {page['diagnosis']}")


def dump_texts(folder: Path, keys: list[str], truth: dict[str, dict], outputs: dict[str, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for key in keys:
        (folder / f"{key}.gold.txt").write_text(truth[key]["gold"], encoding="utf-8")
        (folder / f"{key}.ours.txt").write_text(outputs["ours"][key][0] or "", encoding="utf-8")
        (folder / f"{key}.trafilatura.txt").write_text(outputs["trafilatura"][key] or "", encoding="utf-8")
    print(f"\ntexts of those pages: {folder}/<id>.{{gold,ours,trafilatura}}.txt")


def compare_with(previous: Path, per_page: dict[str, dict], shown: int = 10) -> None:
    """Our F1 now against the last result file, on the pages both hold: what a change of rule did."""
    if not previous.exists():
        return
    before = json.loads(previous.read_text(encoding="utf-8"))
    old = {key: page["ours"]["f1"] for key, page in before["pages_by_loss"].items() if key in per_page}
    if not old:
        return
    deltas = sorted((per_page[key]["ours"]["f1"] - f1, key) for key, f1 in old.items())
    worse = [(d, k) for d, k in deltas if d <= -CHANGED]
    better = [(d, k) for d, k in reversed(deltas) if d >= CHANGED]
    mean_before = sum(old.values()) / len(old)
    mean_now = sum(per_page[key]["ours"]["f1"] for key in old) / len(old)
    print(f"\nours against {previous.relative_to(REPO)} ({before['date']}), {len(old)} pages: mean F1 "
          f"{mean_before:.4f} -> {mean_now:.4f}; better on {len(better)} pages, worse on {len(worse)} "
          f"(by {CHANGED} F1 or more)")
    for label, changes in (("worse", worse), ("better", better)):
        if changes:
            print(f"  {label}: " + ", ".join(f"{k} {old[k]:.2f}->{per_page[k]['ours']['f1']:.2f}"
                                            for _, k in changes[:shown]))


if __name__ == "__main__":
    main()
