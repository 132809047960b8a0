"""Foundation: ontology, shapes, store transactions, persistence, corpus, tables, CLI."""

from __future__ import annotations

import re

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode

from atlas_testing import ROOT
from pipeline import vocab
from pipeline.errors import StaleWriteError, TransactionError
from pipeline.report.tables import aggregate, overview_tables, render
from pipeline.store import open_store
from pipeline.store.corpus import CHALLENGE_KEYS, corpus_quads, init_store, schema_version
from pipeline.store.shacl import union_graph, validate_graph, validate_store

FA = rdflib.Namespace(vocab.FA_NS)
REQUIRED_CLASSES = ["Paper", "FedNASMethod", "NASType", "Challenge", "AdaptationTechnique", "OpenCode",
                    "Excerpt", "Proposal", "EffectAssessment", "Claim", "Replication", "ScreeningDecision",
                    "Reviewer"]


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "fedatlas.ttl", format="turtle")


def test_ontology_and_shapes_parse_and_define_required_classes(ontology):
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    assert len(shapes) > 50
    SKOS = rdflib.namespace.SKOS
    for name in REQUIRED_CLASSES:
        cls = FA[name]
        assert (cls, rdflib.RDF.type, rdflib.OWL.Class) in ontology, name
        assert ontology.value(cls, rdflib.RDFS.label), f"{name} has no label"
        assert ontology.value(cls, SKOS.definition), f"{name} has no definition"


def test_every_fa_term_in_code_is_declared(ontology):
    declared = {str(s).split("#")[1] for s in ontology.subjects() if str(s).startswith(vocab.FA_NS)}
    used: set[str] = set()
    for path in list((ROOT / "pipeline").rglob("*.py")) + list((ROOT / "eval_fednas").rglob("*.py")) \
            + list((ROOT / "app").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bFA\.([A-Za-z]\w*)", text))
        used |= set(re.findall(r"\bFA\[\"([A-Za-z]\w*)\"\]", text))
    used -= {"base"}
    assert used, "no FA terms found: the scan is broken"
    assert sorted(used - declared) == []


def test_corpus_has_eleven_challenges_and_nas_types(seeded_store):
    keys = {r["k"] for r in seeded_store.select("SELECT ?k WHERE { GRAPH ?g { ?c a fa:Challenge ; fa:key ?k } }")}
    assert keys == set(CHALLENGE_KEYS)
    nas = {r["k"] for r in seeded_store.select("SELECT ?k WHERE { GRAPH ?g { ?c a fa:NASType ; fa:key ?k } }")}
    assert {"reinforcement_learning", "evolutionary", "gradient_based", "one_shot_supernet",
            "bayesian_optimization", "predictor_based", "random_search", "pruning_based",
            "zero_cost_proxy", "llm_guided", "other"} <= nas
    darts = seeded_store.select("SELECT ?k WHERE { GRAPH ?g { ?c fa:alias \"DARTS\" ; fa:key ?k } }")
    assert [r["k"] for r in darts] == ["gradient_based"]


def test_seed_excerpts_are_verbatim_with_offsets(seeded_store):
    from pipeline.store.corpus import load_seed_spec, seed_text

    spec = load_seed_spec()
    seeds = {p["key"]: seed_text(p["seed"]) for p in spec["papers"] if p.get("seed")}
    rows = seeded_store.select("""SELECT ?p ?s ?e ?t WHERE { GRAPH ?g {
        ?x a fa:Excerpt ; fa:inPaper ?p ; fa:charStart ?s ; fa:charEnd ?e ; fa:text ?t } }""")
    assert len(rows) >= 10
    for r in rows:
        key = r["p"].rsplit("/", 1)[-1]
        assert seeds[key][r["s"]:r["e"]] == r["t"]


def test_shacl_passes_on_corpus_and_catches_planted_violation(seeded_store):
    report = validate_store(seeded_store)
    assert report.conforms, report.text()
    g = union_graph(seeded_store)
    ea = rdflib.URIRef(vocab.ID_NS + "effect/planted")
    g.add((ea, rdflib.RDF.type, FA.EffectAssessment))
    g.add((ea, FA.technique, rdflib.URIRef(vocab.technique("dynamic-round-numbers").value)))
    g.add((ea, FA.challenge, rdflib.URIRef(vocab.challenge("privacy").value)))
    g.add((ea, FA.polarity, FA.Towards))
    g.add((ea, FA.polarity, FA.Against))  # two polarities: forbidden
    bad = validate_graph(g)
    assert not bad.conforms
    assert any(v.focus == str(ea) and "polarity" in v.message for v in bad.violations)


def test_export_import_round_trip_is_isomorphic(seeded_store, tmp_path):
    for fmt in ("nquads", "trig", "jsonld"):
        data = seeded_store.dump(fmt)
        other = open_store(tmp_path / f"copy-{fmt}")
        other.load(data, fmt)
        assert other.canonical_dump() == seeded_store.canonical_dump(), fmt


def test_data_persists_across_processes(store_path, cli):
    r = cli("init", store=store_path)
    assert r.returncode == 0, r.stderr
    r = cli("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c a fa:Challenge } }", "--format", "json",
            store=store_path)
    assert r.returncode == 0, r.stderr
    assert '"n": "11"' in r.stdout
    assert schema_version(open_store(store_path)) == 2


def test_failing_write_leaves_store_unchanged(seeded_store):
    before = seeded_store.dump("nquads")
    tx = seeded_store.transaction()
    tx.clear_graph(vocab.CORPUS_GRAPH)
    tx.add(vocab.paper("x"), vocab.RDF.type, vocab.FA.Paper, vocab.CURATION_GRAPH)
    tx.update("INSERT { ?s ?p } WHERE { ?s ?p ?o }")  # invalid: the whole transaction must fail
    with pytest.raises(TransactionError):
        seeded_store.commit(tx)
    assert seeded_store.dump("nquads") == before


def test_stale_precondition_refuses_write(seeded_store):
    before = seeded_store.count()
    tx = seeded_store.transaction()
    tx.require("ASK { GRAPH ?g { ?x a fa:Paper ; dcterms:title \"No such paper\" } }", "paper gone")
    tx.add(vocab.paper("y"), vocab.RDF.type, vocab.FA.Paper, vocab.CURATION_GRAPH)
    with pytest.raises(StaleWriteError):
        seeded_store.commit(tx)
    assert seeded_store.count() == before


def test_init_keeps_other_graphs(seeded_store):
    with seeded_store.transaction() as tx:
        tx.add(NamedNode(vocab.ID_NS + "decision/1"), vocab.RDF.type, vocab.FA.Decision, vocab.CURATION_GRAPH)
    init_store(seeded_store)
    assert seeded_store.count(vocab.CURATION_GRAPH) == 1


def test_literal_escaping_round_trips(empty_store):
    nasty = 'quote " backslash \\ newline \n tab \t unicode ✓ <script>'
    with empty_store.transaction() as tx:
        tx.add(vocab.paper("n"), vocab.DCTERMS.title, Literal(nasty), vocab.CURATION_GRAPH)
    assert empty_store.select("SELECT ?t WHERE { GRAPH ?g { ?p dcterms:title ?t } }")[0]["t"] == nasty


@pytest.mark.parametrize("values,expected", [
    ([], ""), (["", ""], ""), (["none", "none"], "none"), (["towards", "none"], "towards"),
    (["against", ""], "against"), (["towards", "against"], "mixed"), (["towards", "disputed"], "disputed"),
])
def test_method_aggregation_rule(values, expected):
    assert aggregate(values) == expected


def test_tables_show_xu_method_with_coded_effects(seeded_store):
    method, tech = overview_tables(seeded_store)
    xu = vocab.iri("method", "xu-fednas").value
    col = {k: c for c, k, _ in method.columns}
    assert method.value(xu, col["limited_computation"]) == "towards"
    assert method.value(xu, col["limited_communication"]) == "towards"
    assert method.value(xu, col["unbalanced_data"]) == "towards"
    assert method.value(xu, col["non_iid_data"]) == "mixed"  # groups towards, early dropping against
    assert method.value(xu, col["privacy"]) == "against"
    assert method.value(xu, col["security"]) == "none"
    drop = vocab.technique("early-candidate-dropping").value
    assert tech.value(drop, col["limited_communication"]) == "towards"
    md = render([method, tech], "markdown")
    assert "FedNAS (Xu et al.)" in md and "±" in md
    assert render([method], "csv").splitlines()[0].startswith("method,method_iri,hardware_heterogeneity")


def test_disagreeing_coders_make_a_disputed_cell(seeded_store):
    t = vocab.technique("dynamic-round-numbers")
    ea = NamedNode(vocab.ID_NS + "effect/other-coder")
    with seeded_store.transaction() as tx:
        for p, o in ((vocab.RDF.type, vocab.FA.EffectAssessment), (vocab.FA.technique, t),
                     (vocab.FA.challenge, vocab.challenge("limited_computation")),
                     (vocab.FA.polarity, vocab.FA.Against),
                     (vocab.PROV.wasAttributedTo, NamedNode(vocab.ID_NS + "reviewer/bob"))):
            tx.add(ea, p, o, vocab.CURATION_GRAPH)
    _, tech = overview_tables(seeded_store)
    col = {k: c for c, k, _ in tech.columns}
    assert tech.value(t.value, col["limited_computation"]) == "disputed"


def test_cli_errors_are_one_line_and_nonzero(seeded_store, cli, tmp_path):
    store_path = seeded_store.location
    r = cli("query", "SELECT WHERE {", store=store_path)
    assert r.returncode == 8 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: E200")
    bad = tmp_path / "bad.nq"
    bad.write_text("<a> <b> .\n")
    r = cli("import", str(bad), store=store_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "bad.nq" in r.stderr
    r = cli("tables", "--format", "latex", store=store_path)
    assert r.returncode == 0


def test_cli_validate_exits_nonzero_on_violation(seeded_store, cli):
    ea = NamedNode(vocab.ID_NS + "effect/broken")
    with seeded_store.transaction() as tx:
        tx.add(ea, vocab.RDF.type, vocab.FA.EffectAssessment, vocab.CURATION_GRAPH)
    r = cli("validate", store=seeded_store.location)
    assert r.returncode == 5
    assert "exactly one technique" in r.stdout


def test_every_cli_command_is_documented_in_readme():
    from pipeline.cli import cli as group

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in group.commands if f"fedatlas {name}" not in readme]
    assert missing == []


def test_corpus_quads_are_deterministic():
    assert sorted(map(str, corpus_quads())) == sorted(map(str, corpus_quads()))


def test_tables_follow_renames_and_merges(seeded_store):
    from pipeline import curate

    drn = vocab.technique("dynamic-round-numbers").value
    drop = vocab.technique("early-candidate-dropping").value
    curate.rename(seeded_store, "alice", drn, "Round-number scheduling")
    method, tech = overview_tables(seeded_store)
    assert dict(tech.rows)[drn] == "Round-number scheduling"
    curate.merge(seeded_store, "alice", drop, drn)
    method, tech = overview_tables(seeded_store)
    assert drop not in dict(tech.rows)
    col = {k: c for c, k, _ in method.columns}
    xu = vocab.iri("method", "xu-fednas").value
    # early dropping (against non-IID) is now part of round-number scheduling (none): groups stay towards
    assert method.value(xu, col["non_iid_data"]) == "towards"


def test_validate_passes_after_curation_overrides_machine_values(demo_store):
    """A curated status replaces the machine's for validation (docs/reliability.md finding 1)."""
    from pipeline import curate
    from pipeline.curate.proposals import list_proposals

    proposal = list_proposals(demo_store)[0]["proposal"]
    curate.accept(demo_store, "alice", proposal)
    report = validate_store(demo_store)
    assert report.conforms, report.text()
