"""Items joined by links into the sets they form (union-find): the staffing model's shifts that must be solved
together, the roster's groups that share cover."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

H = TypeVar("H", bound=Hashable)


def linked_sets(items: Iterable[H], links: Iterable[Iterable[H]]) -> list[list[H]]:
    """The sets of ``items`` that ``links`` join (each link joins all it names; a name that is not an item is
    left out), each set in the items' order and the sets in the order of their first item."""
    order = list(items)
    parent = {x: x for x in order}

    def root(x: H) -> H:
        while parent[x] != x:
            parent[x] = parent[parent[x]]   # path halving: chains stay short
            x = parent[x]
        return x

    for link in links:
        members = [x for x in link if x in parent]
        for x in members[1:]:
            parent[root(x)] = root(members[0])
    sets: dict[H, list[H]] = {}
    for x in order:
        sets.setdefault(root(x), []).append(x)
    return list(sets.values())
