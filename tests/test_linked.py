"""`models.linked.linked_sets` (union-find) against an independent answer: the sets a search over the link
graph reaches, which the staffing decomposition and the roster's split bound both rely on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.linked import linked_sets


def _reached(items: list[int], links: list[list[int]]) -> list[set[int]]:
    """The connected sets by breadth-first search over an adjacency list (no union-find)."""
    near: dict[int, set[int]] = {x: set() for x in items}
    for link in links:
        kept = [x for x in link if x in near]
        for a in kept:
            near[a].update(kept)
    seen: set[int] = set()
    out = []
    for x in items:
        if x in seen:
            continue
        todo, part = [x], set()
        while todo:
            y = todo.pop()
            if y not in part:
                part.add(y)
                todo.extend(near[y] - part)
        seen |= part
        out.append(part)
    return out


def test_a_chain_of_links_joins_its_ends_and_a_name_not_an_item_is_left_out():
    # 0-1 and 1-2 chain into {0, 1, 2}; 9 is no item, so the link [3, 9] joins nothing; 4 stays alone
    assert linked_sets(range(5), [[0, 1], [2, 1], [3, 9]]) == [[0, 1, 2], [3], [4]]


@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.just(list(range(n))), st.lists(st.lists(st.integers(0, n + 2), max_size=4), max_size=10))))
def test_linked_sets_are_the_connected_sets_in_item_order(case):
    items, links = case
    got = linked_sets(items, links)
    assert [set(s) for s in got] == _reached(items, links)
    assert sorted(x for s in got for x in s) == items          # every item once
    assert all(s == sorted(s) for s in got)                    # each set in the items' order
    assert [s[0] for s in got] == sorted(s[0] for s in got)    # the sets by their first item
