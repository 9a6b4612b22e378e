"""Distributed connected components == a single-process union-find, whatever the shuffle partitioning."""

from __future__ import annotations

import itertools
import random

import pytest

from crawlforge.jobs.connected_components import connected_components
from crawlforge.lib.union_find import min_labels


pytestmark = pytest.mark.spark


def _graph(seed: int) -> list[tuple[int, int]]:
    """Random forest-ish graph with a long path (worst case for naive label propagation), stars, cycles,
    repeated and reversed edges and self loops, over keys spread across the signed 64-bit range."""
    rng = random.Random(seed)
    keys = list({rng.randrange(-(2**62), 2**62) for _ in range(400)})
    rng.shuffle(keys)
    edges: list[tuple[int, int]] = []
    path = keys[:60]
    edges += list(itertools.pairwise(path))  # a 60-node path in random key order
    star = keys[60:100]
    edges += [(star[0], k) for k in star[1:]]
    cycle = keys[100:130]
    edges += list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
    rest = keys[130:]
    for _ in range(200):  # sparse random graph: many small components
        a, b = rng.sample(rest, 2)
        edges.append((a, b))
    edges += [(b, a) for a, b in edges[:30]] + [(k, k) for k in keys[:5]]
    return edges


@pytest.mark.parametrize("partitions", [1, 7])
def test_matches_union_find_for_any_partitioning(spark, partitions: int) -> None:
    edges = _graph(11)
    expected = min_labels(edges)
    old = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    try:
        df = spark.createDataFrame(edges, "src bigint, dst bigint").repartition(partitions)
        result = connected_components(df)
        got = {r["node"]: r["component"] for r in result.labels.collect()}
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", old)
    assert got == expected
    assert len(got) == len(result.labels.collect())  # one label per node
    assert 1 < result.rounds < 30


def test_empty_and_single_edge(spark) -> None:
    empty = spark.createDataFrame([], "src bigint, dst bigint")
    assert connected_components(empty).labels.count() == 0
    one = spark.createDataFrame([(5, 3)], "src bigint, dst bigint")
    assert sorted(tuple(r) for r in connected_components(one).labels.collect()) == [(3, 3), (5, 3)]
