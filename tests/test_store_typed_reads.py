"""One typed read per query form (no union for callers to untangle)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pipeline.errors import QueryError

COUNT = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?c a fa:Challenge } }"


def test_each_form_has_its_read_and_refuses_the_others(seeded_store):
    rows = seeded_store.select_terms(COUNT)
    assert isinstance(rows[0]["n"], ox.Literal) and rows[0]["n"].value == "11"
    assert seeded_store.select(COUNT) == [{"n": 11}]
    assert seeded_store.ask("ASK { GRAPH ?g { ?c a fa:Challenge } }") is True
    triples = seeded_store.construct("CONSTRUCT { ?c a fa:Challenge } WHERE { GRAPH ?g { ?c a fa:Challenge } }")
    assert len(triples) == 11 and all(isinstance(t, ox.Triple) for t in triples)
    with pytest.raises(QueryError, match="expected a SELECT"):
        seeded_store.select("ASK {}")
    with pytest.raises(QueryError, match="expected an ASK"):
        seeded_store.ask(COUNT)
    with pytest.raises(QueryError, match="expected a CONSTRUCT"):
        seeded_store.construct(COUNT)
    # the one read for text of unknown form (console, `fedatlas query`) gives the same answers
    assert seeded_store.query(COUNT) == rows and seeded_store.query("ASK {}") is True
