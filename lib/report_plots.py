"""Plots of the report as PNG files (matplotlib, ``Agg`` backend: no display needed), from small aggregates.

Every function takes plain Python data already aggregated by Spark (counts per rule, histogram bins...), writes
one PNG and returns its file name, or ``None`` when there is nothing to draw (so the report never shows an
empty or broken image). matplotlib is the ``report`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import matplotlib


matplotlib.use("Agg")
import matplotlib.pyplot as plt


__all__ = ["bar_chart", "funnel_chart", "histogram_chart"]

DPI = 100


def _save(fig: plt.Figure, out_dir: str, name: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return name


def funnel_chart(steps: Sequence[tuple[str, int]], out_dir: str, name: str, title: str) -> str | None:
    """Documents left after each step, as horizontal bars with the counts written on them."""
    if not steps:
        return None
    labels = [s for s, _ in steps][::-1]
    values = [v for _, v in steps][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(steps) + 1.2))
    bars = ax.barh(labels, values, color="#3b7dd8")
    top = max(values) or 1
    for bar, v in zip(bars, values, strict=True):
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, f"{v:,}", va="center", fontsize=9)
    ax.set_xlim(0, top * 1.15)
    ax.set_title(title)
    ax.set_xlabel("documents")
    return _save(fig, out_dir, name)


def bar_chart(
    counts: Mapping[str, int], out_dir: str, name: str, title: str, xlabel: str = "documents", limit: int = 25
) -> str | None:
    """Largest ``limit`` counts as horizontal bars (largest on top)."""
    items = sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))[:limit]
    if not items:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(items) + 1.2))
    ax.barh([str(k) for k, _ in items][::-1], [v for _, v in items][::-1], color="#d8743b")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.tick_params(axis="y", labelsize=8)
    return _save(fig, out_dir, name)


def histogram_chart(
    series: Mapping[str, Sequence[tuple[float, int]]],
    out_dir: str,
    name: str,
    title: str,
    xlabel: str,
    width: float,
    log_y: bool = False,
) -> str | None:
    """Pre-binned histograms, one step line per group: ``series[group] = [(bin_left_edge, count), ...]``."""
    series = {k: v for k, v in series.items() if v and sum(c for _, c in v) > 0}
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(8, 4))
    for group in sorted(series):
        pts = sorted(series[group])
        ax.bar([x for x, _ in pts], [c for _, c in pts], width=width, align="edge", alpha=0.55, label=str(group))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("documents")
    if log_y:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    return _save(fig, out_dir, name)
