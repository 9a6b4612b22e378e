"""Connected components of a small edge list in one process: the test oracle for the distributed algorithm.

Union by size with path halving (what datatrove's single-process MinHash clustering stage does). The
distributed job (:mod:`crawlforge.jobs.connected_components`) must give the same partition; this module never
runs inside a Spark job (it would collect the graph to one machine, which DESIGN.md forbids at scale).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar


__all__ = ["UnionFind", "components", "min_labels"]

K = TypeVar("K", bound=Hashable)


class UnionFind:
    """Disjoint sets over arbitrary hashable keys, created on first use."""

    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}
        self._size: dict[Hashable, int] = {}

    def add(self, x: Hashable) -> None:
        if x not in self._parent:
            self._parent[x] = x
            self._size[x] = 1

    def find(self, x: Hashable) -> Hashable:
        self.add(x)
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]

    def nodes(self) -> list[Hashable]:
        return list(self._parent)


def components(edges: Iterable[tuple[K, K]], nodes: Iterable[K] = ()) -> list[set[K]]:
    """The connected components (as sets) of the graph with these edges plus isolated ``nodes``."""
    uf = UnionFind()
    for n in nodes:
        uf.add(n)
    for a, b in edges:
        uf.union(a, b)
    groups: dict[Hashable, set[K]] = {}
    for n in uf.nodes():
        groups.setdefault(uf.find(n), set()).add(n)  # type: ignore[arg-type]
    return list(groups.values())


def min_labels(edges: Iterable[tuple[K, K]], nodes: Iterable[K] = ()) -> dict[K, K]:
    """Every node -> the smallest node of its component (the labelling the distributed job produces)."""
    out: dict[K, K] = {}
    for comp in components(edges, nodes):
        low = min(comp)  # type: ignore[type-var]
        for n in comp:
            out[n] = low
    return out
