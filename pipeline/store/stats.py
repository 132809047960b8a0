"""Store statistics: the one read model behind `fedatlas stats`, the app and the tests."""

from __future__ import annotations

from pipeline.store.base import Store

STATS_QUERY = """
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { GRAPH ?g { ?x a fa:Paper } BIND("papers" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:FedNASMethod } BIND("methods" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Challenge } BIND("challenges" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:NASType } BIND("NAS types" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:AdaptationTechnique } BIND("adaptation techniques" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:OpenCode } BIND("open codes" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:EffectAssessment } BIND("effect assessments" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Claim } BIND("claims" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Replication } BIND("replications" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Proposal } BIND("proposals" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Decision } BIND("curation decisions" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:ScreeningDecision } BIND("screening decisions" AS ?what) }
} GROUP BY ?what"""

STATS_ORDER = ["papers", "methods", "challenges", "NAS types", "adaptation techniques", "open codes",
               "effect assessments", "claims", "replications", "proposals", "curation decisions",
               "screening decisions"]


def store_stats(store: Store) -> dict[str, int]:
    """Distinct things of each kind, named graphs and triples (in named graphs), in a fixed order."""
    with store.session():
        counts = {r["what"]: int(r["n"]) for r in store.select(STATS_QUERY)}
        graphs = len(store.graphs())
        triples = store.count()
    out = {k: counts.get(k, 0) for k in STATS_ORDER}
    out.update({"named graphs": graphs, "triples": triples})
    return out
