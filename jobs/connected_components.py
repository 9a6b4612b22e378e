"""Distributed connected components on DataFrames: alternating large-star / small-star (Kiveris et al. 2014).

"Connected Components in MapReduce and Beyond" (SoCC 2014) shows that alternating the two operations turns any
graph into stars centred on each component's smallest node in O(log^2 n) rounds, with every round a couple of
shuffles of the edge list and no state on the driver. text-dedup's PySpark MinHash used the same loop
(anchors.md B8); GraphFrames' default ``connectedComponents`` is the same algorithm. The graph here is the star
edges of LSH buckets plus exact-duplicate edges, so it has about one edge per duplicate document.

* **large-star**: every node ``u`` links every larger neighbour to ``m(u)``, the smallest of ``u`` and its
  neighbours.
* **small-star**: every node ``u`` links itself and every smaller neighbour to the smallest of them.

Both keep the components and never add an edge between components. The loop stops when a round leaves the edge
set unchanged: each side is summarised by ``(count, bit_xor(xxhash64(src, dst)))``, two numbers reach the
driver. Every round is truncated with ``localCheckpoint`` (or ``checkpoint`` when the session has a reliable
checkpoint directory and ``reliable=True``), so the plan does not grow with the number of rounds (GraphFrames:
plans "would grow exponentially without checkpointing").

The result depends only on the edge *set*: the same labels whatever the partitioning (tested against
:mod:`crawlforge.lib.union_find` under different ``spark.sql.shuffle.partitions``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


log = logging.getLogger(__name__)

__all__ = ["CCResult", "connected_components", "large_star", "small_star"]


@dataclass
class CCResult:
    labels: DataFrame  # (node, component): every node of an edge, component = smallest node of its component
    rounds: int


def _canonical(edges: DataFrame) -> DataFrame:
    """Undirected edges as (src > dst) pairs, without self loops or repeats."""
    return (
        edges.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
        .where(F.col("src") != F.col("dst"))
        .distinct()
    )


def large_star(edges: DataFrame) -> DataFrame:
    """One large-star round over canonical edges; returns canonical edges (src > dst)."""
    both = edges.select("src", "dst").unionByName(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    m = both.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("m"))
    out = (
        both.where(F.col("dst") > F.col("src"))
        .join(m, "src")
        .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    )
    return _canonical(out)


def small_star(edges: DataFrame) -> DataFrame:
    """One small-star round over canonical edges (src > dst); returns canonical edges."""
    m = edges.groupBy("src").agg(F.min("dst").alias("m"))
    linked = edges.join(m, "src")
    out = linked.select(F.col("dst").alias("src"), F.col("m").alias("dst")).unionByName(
        m.select(F.col("src"), F.col("m").alias("dst"))
    )
    return _canonical(out)


def _fingerprint(edges: DataFrame) -> tuple[int, int]:
    row = edges.agg(
        F.count(F.lit(1)).alias("n"), F.coalesce(F.bit_xor(F.xxhash64("src", "dst")), F.lit(0)).alias("x")
    ).first()
    assert row is not None
    return int(row["n"]), int(row["x"])


def _truncate(df: DataFrame, reliable: bool) -> DataFrame:
    return df.checkpoint(eager=True) if reliable else df.localCheckpoint(eager=True)


def connected_components(edges: DataFrame, *, max_rounds: int = 100, reliable: bool = False) -> CCResult:
    """Label every node of ``edges`` (columns ``src``, ``dst``: non-null ``bigint``) with its component's minimum.

    Raises ``RuntimeError`` if the loop has not converged after ``max_rounds`` rounds (each round is a large-star
    and a small-star); theory says O(log^2 n).
    """
    current = _truncate(_canonical(edges.select("src", "dst")), reliable)
    before = _fingerprint(current)
    rounds = 0
    while True:
        rounds += 1
        if rounds > max_rounds:
            raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
        nxt = _truncate(small_star(large_star(current)), reliable)
        after = _fingerprint(nxt)
        log.info("connected components round %d: %d edges", rounds, after[0])
        current = nxt
        if after == before:
            break
        before = after
    # converged: every edge is (node, smallest node of its component)
    labels = current.select(F.col("src").alias("node"), F.col("dst").alias("component")).unionByName(
        current.select(F.col("dst").alias("node"), F.col("dst").alias("component")).distinct()
    )
    return CCResult(labels, rounds)
