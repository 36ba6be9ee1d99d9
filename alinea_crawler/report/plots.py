"""The report's plots: matplotlib figures of ``data.Figures``, each rendered to an inline SVG string.

matplotlib draws without a display (``Figure`` objects, no pyplot state) and
writes SVG with text kept as text; the SVG goes into the page as it is, so the
report needs no script, font or image from anywhere. Each plot gets its own
``svg.hashsalt``: the ids inside two SVGs of one page never collide.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib
import matplotlib.dates
import numpy as np
from matplotlib.figure import Figure

from .data import COVERAGE_FIELDS, Figures, Histogram, next_bucket

EMPTY_COLOUR = "#d62728"
WIDTH = 10  # inches; the page scales the SVG to its column


def svg(figure: Figure, name: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), ids salted with ``name``."""
    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "none"}):
        figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]


def section_colours(sections: Sequence[str]) -> dict[str, tuple]:
    palette = matplotlib.colormaps["tab20" if len(sections) > 10 else "tab10"]
    return {s: palette(i % palette.N) for i, s in enumerate(sections)}


def articles_per_day(f: Figures) -> str:
    """Articles per day, stacked by section (over a long range: all sections in one); days without any
    article shaded red."""
    fig = Figure(figsize=(WIDTH, 4))
    ax = fig.subplots()
    days = list(f.daily)
    by_section = f.coverage_bucket == "day"  # a longer range: one day is a pixel, sections per week below
    series = section_colours(f.sections) if by_section else {"all sections": "#4c4c4c"}
    stacked_stairs(ax, days, [[sum(f.daily[d].values()) if not by_section else f.daily[d][s] for d in days]
                              for s in series], series, timedelta(days=1))
    for n, gap in enumerate(f.gaps):
        ax.axvspan(gap.first, gap.last + timedelta(days=1), color=EMPTY_COLOUR, alpha=0.25, lw=0,
                   label="no article" if n == 0 else None)
    ax.set_ylabel("articles per day (WIB)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate()
    return svg(fig, "per-day")


def sections_over_time(f: Figures) -> str:
    """Articles per week or month, stacked by section."""
    fig = Figure(figsize=(WIDTH, 4))
    ax = fig.subplots()
    starts = [start for start, _ in f.sections_over_time]
    end = next_bucket(starts[-1], f.coverage_bucket)
    colours = section_colours(f.sections)
    stacked_stairs(ax, starts, [[counts[s] for _, counts in f.sections_over_time] for s in colours], colours, end)
    ax.set_ylabel(f"articles per {f.coverage_bucket}")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate()
    return svg(fig, "sections-time")


def stacked_stairs(ax, starts: list[date], series: list[list[int]], colours: dict[str, tuple | str],
                   end: date | timedelta) -> None:
    """One filled step outline per series, each on top of the last (thousands of bars would be as many shapes)."""
    last = starts[-1] + end if isinstance(end, timedelta) else end
    edges = matplotlib.dates.date2num(starts + [last])
    bottom = np.zeros(len(starts))
    for values, (label, colour) in zip(series, colours.items()):
        top = bottom + values
        ax.stairs(top, edges, baseline=bottom, fill=True, color=colour, label=label)
        bottom = top
    ax.xaxis_date()


def sections(f: Figures) -> str:
    """Each section's span from its first to its last article, with its count."""
    colours = section_colours(f.sections)
    fig = Figure(figsize=(WIDTH, 0.45 * len(f.section_stats) + 1))
    ax = fig.subplots()
    for row, s in enumerate(reversed(f.section_stats)):
        ax.barh(row, (s.last - s.first).days + 1, left=s.first, color=colours[s.section], height=0.6)
        ax.annotate(f"{s.articles:,}", (s.last + timedelta(days=1), row), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize="small")
    ax.set_yticks(range(len(f.section_stats)), [s.section for s in reversed(f.section_stats)])
    ax.set_xlim(f.first_day, f.last_day + timedelta(days=1))
    fig.autofmt_xdate()
    return svg(fig, "sections")


def bars(name: str, labels: Sequence[str], values: Sequence[float], xlabel: str, percent: bool = False) -> str:
    """Horizontal bars, first label on top, each bar labelled with its value."""
    fig = Figure(figsize=(WIDTH, 0.32 * len(labels) + 0.9))
    ax = fig.subplots()
    rows = range(len(labels))[::-1]
    ax.barh(rows, values, color="#1f77b4", height=0.7)
    ax.bar_label(ax.containers[0], labels=[f"{v:.1%}" if percent else f"{v:,}" for v in values],
                 padding=3, fontsize="small")
    ax.set_yticks(rows, labels)
    ax.set_xlabel(xlabel)
    if percent:
        ax.set_xlim(0, 1.12)
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    else:
        ax.set_xlim(0, max(values, default=1) * 1.12 or 1)
    return svg(fig, name)


def coverage_over_time(f: Figures) -> str:
    """Fields × time: the share of articles with each field per day, week or month (grey: no article)."""
    fig = Figure(figsize=(WIDTH, 3.6))
    ax = fig.subplots()
    shares = [[cov.get(name, math.nan) for _, _, cov in f.coverage_over_time] for name in COVERAGE_FIELDS]
    mesh = ax.pcolormesh(np.ma.masked_invalid(shares), cmap="Greens", vmin=0, vmax=1)  # vector, not a raster
    ax.set_facecolor("#cccccc")  # masked cells: buckets without articles
    ax.invert_yaxis()
    ax.set_yticks([i + 0.5 for i in range(len(COVERAGE_FIELDS))], list(COVERAGE_FIELDS))
    starts = [start for start, _, _ in f.coverage_over_time]
    step = max(1, len(starts) // 12)
    ax.set_xticks([i + 0.5 for i in range(0, len(starts), step)],
                  [starts[i].isoformat() for i in range(0, len(starts), step)], rotation=30, ha="right",
                  fontsize="small")
    ax.set_xlabel(f"{f.coverage_bucket} (WIB)")
    bar = fig.colorbar(mesh, ax=ax, format=matplotlib.ticker.PercentFormatter(1.0), fraction=0.03)
    bar.solids.set_rasterized(False)  # matplotlib rasterizes a long colour bar: keep the page all vector
    return svg(fig, "coverage-time")


def histogram(name: str, h: Histogram, xlabel: str) -> str:
    fig = Figure(figsize=(WIDTH, 3))
    ax = fig.subplots()
    ax.stairs(h.counts, h.edges, fill=True, color="#1f77b4")
    ax.axvline(h.summary["median"], color="black", lw=1, ls="--", label=f"median {h.summary['median']:,.0f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("articles")
    ax.legend(fontsize="small")
    return svg(fig, name)


def rungs(table: dict[str, dict[str, int]], order: Sequence[str]) -> str:
    """Per field, how many articles got it from each rung of the ladder (ld, meta, layout, generic)."""
    fields = list(table)
    fig = Figure(figsize=(WIDTH, 0.4 * len(fields) + 1.2))
    ax = fig.subplots()
    rows = range(len(fields))[::-1]
    left = [0] * len(fields)
    for rung, colour in zip(order, ("#2ca02c", "#1f77b4", "#9467bd", "#d62728", "#7f7f7f")):
        counts = [table[f].get(rung, 0) for f in fields]
        ax.barh(rows, counts, left=left, color=colour, label=rung, height=0.7)
        left = [a + b for a, b in zip(left, counts)]
    ax.set_yticks(rows, fields)
    ax.set_xlabel("articles")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return svg(fig, "rungs")
