"""The solver's numpy graph (Arcs) and its enumeration: pieces merged in numpy equal the engine's Graph built
the matching's way (`_add_rows`: normalised windows, wishes counted, smallest place and spare beds), the
candidates found on either are the same, and the enumeration finds the same cycles however small its chunks.
On the database: the pool's arrays are exactly the matching's edges between the pool's homes."""

from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.clearing import services, solver
from exchanges.matching import graph as graphs
from exchanges.matching.engine import Edge, Graph, normalise

piece_st = st.tuples(
    st.integers(0, 5),  # guest
    st.integers(0, 5),  # host
    st.integers(0, 12),  # first night
    st.integers(1, 9),  # nights
    st.booleans(),  # open to any request
    st.integers(0, 3),  # wish
    st.sampled_from([1.0, 30.0, 300.0]),  # km²
    st.integers(0, 3),  # spare beds
)
spec_st = st.fixed_dictionaries(
    {
        "pieces": st.lists(piece_st, max_size=40),
        "owners": st.lists(st.integers(0, 7), min_size=6, max_size=6),
        "length": st.sampled_from([2, 3, 4]),
        "first": st.integers(0, 4),
    }
)


def _pieces(spec):
    # A wish belongs to its guest: (guest, wish) is the wish's identity.
    rows = [
        (g, h, s, s + k, o, g * 10 + w, km2, sp) for g, h, s, k, o, w, km2, sp in spec["pieces"] if g != h
    ]
    return rows


def _graph(spec):
    """The engine Graph of the pieces, built as exchanges.matching.graph._add_rows builds it."""
    entries: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [[], [], set(), float("inf"), 10**6])
    for g, h, s, e, is_open, wish, km2, spare in _pieces(spec):
        entry = entries[(g, h)]
        entry[0].append((s, e))
        if is_open:
            entry[1].append((s, e))
        entry[2].add(wish)
        entry[3] = min(entry[3], km2)
        entry[4] = min(entry[4], spare)
    graph = Graph()
    graph.owner.update(dict(enumerate(spec["owners"])))
    for (g, h), (any_, open_, wishes, km2, spare) in entries.items():
        graph.add(Edge(g, h, normalise(any_), normalise(open_), len(wishes), km2, spare))
    return graph


def _arcs(spec):
    rows = _pieces(spec)
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    return solver.Arcs.from_pieces(
        owner=np.array(spec["owners"]),
        guest=np.array(cols[0], dtype=np.int32),
        host=np.array(cols[1], dtype=np.int32),
        start=np.array(cols[2], dtype=np.int32),
        end=np.array(cols[3], dtype=np.int32),
        is_open=np.array(cols[4], dtype=bool),
        wish=np.array(cols[5], dtype=np.int64),
        km2=np.array(cols[6], dtype=np.float64),
        spare=np.array(cols[7], dtype=np.int32),
    )


def _edges(arcs):
    return {(e.guest, e.host): e for e in map(arcs.edge, range(arcs.edge_count))}


def _found(pool):
    cands, capped = solver.candidates(pool)
    assert not capped
    return [(c.homes, c.window, c.points) for c in cands]


@hsettings(max_examples=300, deadline=None)
@given(spec_st)
def test_pieces_merged_in_numpy_equal_the_matchings_graph_and_give_the_same_candidates(spec):
    graph = _graph(spec)
    arcs = _arcs(spec)
    expected = {(g, h): e for g, hosts in graph.out.items() for h, e in hosts.items()}
    assert _edges(arcs) == expected
    assert _edges(solver.Arcs.from_graph(graph)) == expected
    assert list(arcs.owner) == spec["owners"]
    bonus = {h: 10 * (h % 3) for h in range(6)}
    common = {"bonus": bonus, "min_nights": 3, "first_night": spec["first"], "max_length": spec["length"]}
    from_graph = _found(solver.Pool(graph=graph, **common))
    assert _found(solver.Pool(arcs=arcs, **common)) == from_graph
    assert from_graph == sorted(from_graph)  # in the order of their homes, each once
    assert len({homes for homes, _w, _p in from_graph}) == len(from_graph)


@hsettings(max_examples=200, deadline=None)
@given(spec_st)
def test_the_enumeration_finds_the_same_cycles_whatever_its_chunks(spec):
    pool = solver.Pool(arcs=_arcs(spec), min_nights=2, max_length=spec["length"])
    whole = _found(pool)
    chunk = solver.CHUNK
    try:
        for size in (1, 2, 5):
            solver.CHUNK = size
            assert _found(pool) == whole
    finally:
        solver.CHUNK = chunk


def test_the_graph_of_the_chosen_cycles_has_their_stays_and_owners():
    spec = {
        "pieces": [
            (0, 1, 0, 9, True, 0, 1.0, 0),
            (1, 2, 0, 9, True, 0, 1.0, 1),
            (2, 0, 0, 9, True, 0, 1.0, 2),
            (3, 4, 0, 9, False, 0, 1.0, 0),
            (4, 3, 0, 9, False, 0, 1.0, 0),
        ],
        "owners": [10, 11, 12, 13, 14, 15],
        "length": 3,
        "first": 0,
    }
    pool = solver.Pool(arcs=_arcs(spec), min_nights=3)
    chosen = solver.solve(solver.candidates(pool)[0]).chosen
    assert [c.homes for c in chosen] == [(0, 1, 2), (3, 4)]
    graph = pool.graph_of(c.homes for c in chosen)
    assert {(g, h) for g, hosts in graph.out.items() for h in hosts} == {
        (0, 1),
        (1, 2),
        (2, 0),
        (3, 4),
        (4, 3),
    }
    assert graph.owner == {0: 10, 1: 11, 2: 12, 3: 13, 4: 14}
    assert graph.out[1][2].spare == 1


@pytest.mark.django_db
def test_the_pools_arrays_are_the_matchings_edges_between_its_homes(opted_ring):
    pool, homes = services.build_pool(timezone.localdate(), max_length=3)
    ids = [row["pk"] for row in homes]
    assert pool.arcs is not None
    assert sorted(pool.arcs.ids.tolist()) == sorted(ids)
    matching = graphs.load_edges(Graph(), guests=ids, hosts=ids)
    expected = {(g, h): e for g, hosts in matching.out.items() for h, e in hosts.items()}
    assert expected  # the ring's stays at least
    assert _edges(pool.arcs) == expected
    owners = dict(zip(pool.arcs.ids.tolist(), pool.arcs.owner.tolist(), strict=True))
    assert owners == {row["pk"]: row["owner_id"] for row in homes}
