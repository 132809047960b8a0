"""The Screening page in AppTest against a real store: the record card, keyword highlighting (escaped),
prioritised blind order with the ranker in each decision's provenance, current agreement numbers, PRISMA diagram."""

from __future__ import annotations

from pipeline import curate
from pipeline.curate.prisma import prisma_counts
from pipeline.curate.ranking import reviewer_queue
from pipeline.ingest.testing import PAPER_A, PAPER_B
from pipeline.report.prisma import box_rows

FEDNAS = [("Kilo Federated Supernet Search for Phones", "Clients train a weight-sharing supernet; federated "
           "architecture search under non-IID client data and tight memory."),
          ("Lima Federated Differentiable Architecture Search", "Federated clients search cells with continuous "
           "relaxation; the server averages supernet weights and architecture parameters.")]
OTHER = [("Mike Sleep Hygiene in Adolescents: a Randomised Trial", "Adolescents followed a sleep programme; "
          "insomnia scores fell in the randomised trial."),
         ("November Outcomes of Knee Replacement Surgery", "Patients after knee replacement surgery reported pain "
          "and mobility outcomes at one year.")]


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_card_shows_authors_year_venue_and_escaped_highlighted_keywords(app, app_store):
    p = curate.add_record(app_store, "ada", "Oscar Federated NAS with <b>HTML</b>", source="manual",
                          authors="Ng, Ann; Oh, Bo", year=2024,
                          abstract="Our *federated* learning [link](http://x.test) <script>alert(1)</script> uses NAS.")
    at = app.open("screening")
    at.selectbox(key="scr_paper").set_value(p).run()
    md = [m.value for m in at.markdown]
    assert "#### Oscar **Federated** **NAS** with \\<b\\>HTML\\</b\\>" in md
    assert "Ng, Ann; Oh, Bo" in md
    abstract = next(m for m in md if m.startswith("Our "))
    assert "\\***federated**\\*" in abstract and "**learning**" not in abstract
    assert "\\<script\\>" in abstract and "\\[link\\]\\(http\\://x\\.test\\)" in abstract and "**NAS**" in abstract
    assert any(c.value.startswith("2024 · ") and "source: manual" in c.value for c in at.caption)
    # the demo papers carry a venue-less record; a seed paper shows its venue
    at.toggle(key="scr_todo").set_value(False).run()
    at.selectbox(key="scr_paper").set_value("https://w3id.org/fedatlas/id/paper/xu2020-fednas").run()
    assert any("2020 · arXiv preprint · source: manual" in c.value for c in at.caption)


def test_prioritised_order_is_blind_and_recorded_in_provenance(app, app_store):
    added = {t: curate.add_record(app_store, "setup", t, source="database", abstract=a) for t, a in FEDNAS + OTHER}
    at = app.open("screening")
    assert not any("Prioritised" in i.value for i in at.info)  # no decisions yet: plain order
    at.selectbox(key="scr_paper").set_value(PAPER_A.value).run()
    button(at, "Include").click().run()
    at.selectbox(key="scr_paper").set_value(added[OTHER[0][0]]).run()
    button(at, "Exclude").click().run()
    assert not at.exception
    state = next(i.value for i in at.info if i.value.startswith("Prioritised"))
    assert "tfidf\\-lr" in state and "2 title/abstract decisions (1 included, 1 excluded)" in state
    assert "Records screened since your last include: **1**" in state and "Estimated relevant records left" in state
    queue = reviewer_queue(app_store, "Ada")
    assert queue.prioritised and at.selectbox(key="scr_paper").value == queue.order[0]
    # learned from Ada's decisions: the FedNAS records come before the medical one
    order = queue.order
    assert max(order.index(added[t]) for t, _ in FEDNAS) < order.index(added[OTHER[1][0]])
    nxt = at.selectbox(key="scr_paper").value
    button(at, "Include").click().run()
    rows = app_store.select(f"""SELECT ?m ?v WHERE {{ GRAPH ?g {{ ?n a fa:ScreeningDecision ; fa:aboutPaper <{nxt}> ;
                                fa:rankingModel ?m ; fa:rankingModelVersion ?v }} }}""")
    assert rows == [{"m": "tfidf-lr", "v": "1"}]
    # Bob has decided nothing: his order is not learned from Ada's decisions
    at2 = app.open("screening", who="Bob")
    assert not any(i.value.startswith("Prioritised") for i in at2.info)
    assert not reviewer_queue(app_store, "Bob").prioritised


def test_agreement_and_conflicts_show_the_store_now(app, app_store):
    at = app.open("screening")
    curate.screen(app_store, "Ada", PAPER_A, "title-abstract", "include")
    curate.screen(app_store, "Bob", PAPER_A, "title-abstract", "exclude")
    at.session_state["scr_tab"] = "Agreement"  # each tab is drawn (and re-read) only while open
    at.run()  # the page reruns (an action, or the tab's refresh): numbers come from the store, not the last run
    tables = [d.value for d in at.dataframe if "kappa" in d.value.columns]
    assert tables and tables[0].iloc[0]["records"] == 1 and tables[0].iloc[0]["kappa"] == "n/a"
    at.session_state["scr_tab"] = "Conflicts"
    at.run()
    assert any(m.value == "**Title/abstract**: 1 conflict(s)" for m in at.markdown)
    curate.screen(app_store, "Ada", PAPER_B, "title-abstract", "include")
    curate.screen(app_store, "Bob", PAPER_B, "title-abstract", "include")
    at.session_state["scr_tab"] = "Agreement"
    at.run()
    row = [d.value for d in at.dataframe if "kappa" in d.value.columns][0].iloc[0]
    k = curate.screening_agreement(app_store, "title-abstract", "Ada", "Bob")
    assert row["records"] == 2 == k["n"] and row["kappa"] == f"{k['kappa']:.3f}"


def test_prisma_tab_draws_the_diagram_with_the_one_count(app, app_store):
    curate.screen(app_store, "Ada", PAPER_A, "title-abstract", "include")
    curate.screen(app_store, "Bob", PAPER_A, "title-abstract", "exclude")
    at = app.open("screening")
    assert not (at.get("image") or at.get("imgs"))  # drawn only when its tab is open: a click on Screen stays fast
    at.session_state["scr_tab"] = "PRISMA"
    at.run()
    assert at.get("image") or at.get("imgs"), "the PRISMA tab shows the flow diagram"
    assert not at.json  # no raw dump
    table = next(d.value for d in at.dataframe if list(d.value.columns) == ["box", "n"])
    expected = box_rows(prisma_counts(app_store))
    assert [(r["box"], r["n"]) for _, r in table.iterrows()] == [(b, n) for b, n in expected]
    got = dict(expected)
    assert got["Title/abstract conflicts awaiting resolution"] == 1
    assert got["Records awaiting screening (not yet screened)"] == 1
