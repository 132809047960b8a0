"""`fedatlas curate ...`: a few curation decisions from the shell, on the same API as the app."""

from __future__ import annotations

import json

import click

from pipeline import curate as api

pass_ctx = click.pass_obj
REVIEWER = click.option("--reviewer", "-r", envvar="FEDATLAS_REVIEWER", required=True,
                        help="Your name (recorded with the decision; env FEDATLAS_REVIEWER).")


@click.group("curate")
def curate_cmd() -> None:
    """Record curation decisions (attributed, undoable) and inspect their history."""


@curate_cmd.command("accept")
@click.argument("proposal")
@REVIEWER
@pass_ctx
def accept_cmd(obj, proposal: str, reviewer: str) -> None:
    """Accept PROPOSAL (an IRI)."""
    click.echo(api.accept(obj.store(), reviewer, proposal))


@curate_cmd.command("reject")
@click.argument("proposal")
@click.option("--reason", help="Why (kept in the decision).")
@REVIEWER
@pass_ctx
def reject_cmd(obj, proposal: str, reason: str | None, reviewer: str) -> None:
    """Reject PROPOSAL (an IRI)."""
    click.echo(api.reject(obj.store(), reviewer, proposal, reason=reason))


@curate_cmd.command("edit")
@click.argument("proposal")
@click.option("--code", help="The code to record instead (an IRI, or a key of the proposal's kind).")
@click.option("--start", type=click.IntRange(0), help="A new excerpt: start offset in the paper's text.")
@click.option("--end", type=click.IntRange(0), help="End offset of the new excerpt (default: the old end).")
@REVIEWER
@pass_ctx
def edit_cmd(obj, proposal: str, code: str | None, start: int | None, end: int | None, reviewer: str) -> None:
    """Accept PROPOSAL (an IRI) with changes: another code and/or excerpt (the app's Edit)."""
    store = obj.store()
    if code is not None and ":" not in code:  # a key: of the same kind as the proposal
        from pipeline import vocab
        from pipeline.curate.proposals import get

        kind = get(store, proposal).kind
        code = getattr(vocab, kind)(code).value
    click.echo(api.edit(store, reviewer, proposal, code=code, start=start, end=end))


@curate_cmd.command("undo")
@click.argument("decision")
@REVIEWER
@pass_ctx
def undo_cmd(obj, decision: str, reviewer: str) -> None:
    """Undo DECISION (the latest in effect on its target); undoing an `unmerge` merges the record back."""
    import pipeline.ingest.unmerge  # noqa: F401  (registers how an unmerge is undone)

    click.echo(api.undo(obj.store(), reviewer, decision))


@curate_cmd.command("effect")
@click.argument("technique")
@click.argument("challenge")
@click.argument("value", type=click.Choice(["towards", "against", "none"]))
@click.option("--rationale", required=True)
@click.option("--evidence", multiple=True, help="Excerpt/claim/replication IRI (repeatable).")
@click.option("--resolve", is_flag=True, help="Consensus: supersede every coder's current assessment.")
@REVIEWER
@pass_ctx
def effect_cmd(obj, technique: str, challenge: str, value: str, rationale: str, evidence: tuple[str, ...],
               resolve: bool, reviewer: str) -> None:
    """Set the effect of TECHNIQUE on CHALLENGE (IRIs or keys)."""
    from pipeline.vocab import challenge as c_iri
    from pipeline.vocab import technique as t_iri

    t = technique if ":" in technique else t_iri(technique).value
    c = challenge if ":" in challenge else c_iri(challenge).value
    click.echo(api.set_effect(obj.store(), reviewer, t, c, value, rationale, list(evidence), resolve=resolve))


@curate_cmd.command("screen")
@click.argument("paper")
@click.option("--stage", type=click.Choice(["title-abstract", "full-text"]), required=True)
@click.argument("decision", type=click.Choice(["include", "exclude", "maybe"]))
@click.option("--reason", help="Exclusion reason (required to exclude at full text).")
@REVIEWER
@pass_ctx
def screen_cmd(obj, paper: str, stage: str, decision: str, reason: str | None, reviewer: str) -> None:
    """Record your screening DECISION on PAPER (IRI or key) at a stage."""
    p = _paper(paper)
    click.echo(api.screen(obj.store(), reviewer, p, stage, decision, reason))


def _paper(paper: str) -> str:
    from pipeline.vocab import paper as p_iri

    return paper if ":" in paper else p_iri(paper).value


@curate_cmd.command("method")
@click.argument("paper")
@click.option("--name", help="Rename the paper's method (the one given with --method, else its first).")
@click.option("--method", "method", help="Which of the paper's methods to rename (IRI).")
@click.option("--add", "add", help="Add a further method of the paper with this name (a split).")
@click.option("--none", "none", is_flag=True, help="The paper presents no FedNAS method (e.g. a survey).")
@click.option("--has-method", is_flag=True, help="Take back --none.")
@REVIEWER
@pass_ctx
def method_cmd(obj, paper: str, name: str | None, method: str | None, add: str | None, none: bool,
               has_method: bool, reviewer: str) -> None:
    """Show, name, split or mark as none the FedNAS method(s) of PAPER (IRI or key)."""
    store = obj.store()
    p = _paper(paper)
    if none or has_method:
        click.echo(api.mark_no_method(store, reviewer, p, none=none))
    if add:
        click.echo(api.add_method(store, reviewer, p, add))
    if name:
        from pipeline.curate.methods import _method_of_paper

        m = _method_of_paper(store, p, method)
        click.echo(api.rename_method(store, reviewer, m.iri, name))
    for m in api.methods_of(store, p):
        click.echo(f"{m.iri}\t{m.label}\t{m.origin}\tchallenges={len(m.challenges)} nas_types={len(m.nas_types)} "
                   f"techniques={len(m.techniques)}")


@curate_cmd.command("assign")
@click.argument("proposal")
@click.argument("method")
@REVIEWER
@pass_ctx
def assign_cmd(obj, proposal: str, method: str, reviewer: str) -> None:
    """Attach PROPOSAL's code to METHOD (one of its paper's methods)."""
    click.echo(api.assign(obj.store(), reviewer, proposal, method))


@curate_cmd.command("merge")
@click.argument("open_codes", nargs=-1, required=True)
@click.option("--into", "into", help="The refined technique (IRI or key) to merge the open codes into.")
@click.option("--new", "new", help="Keep the open codes as a new refined technique with this label.")
@REVIEWER
@pass_ctx
def merge_cmd(obj, open_codes: tuple[str, ...], into: str | None, new: str | None, reviewer: str) -> None:
    """Axial coding: merge OPEN_CODE... into a refined technique (--into) or a new one (--new)."""
    from pipeline.errors import InputError
    from pipeline.vocab import technique as t_iri

    if bool(into) == bool(new):
        raise InputError("give exactly one of --into TECHNIQUE or --new LABEL")
    target = (into if ":" in into else t_iri(into).value) if into else None
    click.echo(api.refine(obj.store(), reviewer, list(open_codes), into=target, new_label=new))


@curate_cmd.command("open-codes")
@click.option("--uncategorised", is_flag=True, help="Only those not merged into a refined technique yet.")
@pass_ctx
def open_codes_cmd(obj, uncategorised: bool) -> None:
    """Open codes as JSON lines (iri, label, technique, paper, method)."""
    store = obj.store()
    codes = api.uncategorised(store) if uncategorised else api.open_codes(store)
    for c in codes:
        click.echo(json.dumps({k: c[k] for k in ("iri", "label", "technique", "paper", "method")}, ensure_ascii=False))


@curate_cmd.command("history")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def history_cmd(obj, target: str, as_json: bool) -> None:
    """Every decision on TARGET, oldest first."""
    events = api.history(obj.store(), target)
    if as_json:
        click.echo(json.dumps([{"decision": e.iri, "action": e.action, "reviewer": e.reviewer_name, "time": e.time,
                                "params": e.params, "undone_by": e.undone_by} for e in events], indent=2))
        return
    for e in events:
        mark = "  (undone)" if e.undone_by else ""
        click.echo(f"{e.time}  {e.reviewer_name:<16} {e.action:<8} {json.dumps(e.params, ensure_ascii=False)}"
                   f"  {e.iri}{mark}")
    if not events:
        click.echo("(no decisions)")


@curate_cmd.command("kappa")
@click.option("--stage", type=click.Choice(["title-abstract", "full-text", "coding"]), required=True)
@pass_ctx
def kappa_cmd(obj, stage: str) -> None:
    """Cohen's kappa for every pair of reviewers (screening stage, or coding per (paper, code) unit)."""
    from itertools import combinations

    from pipeline.vocab import local_name

    store = obj.store()
    if stage == "coding":
        revs = api.coding_reviewers(store)
        rows = [{"a": local_name(a), "b": local_name(b), **api.coding_agreement(store, local_name(a), local_name(b))}
                for a, b in combinations(revs, 2)]
    else:
        rows = api.screening_kappas(store, stage)
    for r in rows:
        k = "n/a" if r["kappa"] is None else f"{r['kappa']:.3f}"
        click.echo(f"{r['a']} vs {r['b']}: kappa={k} n={r['n']}")
    if not rows:
        click.echo("(fewer than two reviewers with common items)")


commands = [curate_cmd]


# ---- duplicates: merges, suspected duplicates, undo -------------------------------

@curate_cmd.command("merges")
@click.option("--open", "open_only", is_flag=True, help="Only merges in effect and suspicions not decided yet.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def merges_cmd(obj, open_only: bool, as_json: bool) -> None:
    """List duplicate merges (ingest's and reviewers') and suspected duplicates, with their ids."""
    from dataclasses import asdict

    from pipeline.ingest.unmerge import merges
    from pipeline.vocab import local_name

    rows = merges(obj.store(), include_undone=not open_only)
    for m in rows:
        if as_json:
            click.echo(json.dumps(asdict(m), ensure_ascii=False))
        else:
            into = local_name(m.paper) + (f" (split off as {local_name(m.split_as)})" if m.split_as else "")
            rec = m.record if m.kind == "ingest" else local_name(m.record)
            click.echo(f"{local_name(m.id)}\t{m.kind}\t{m.status}\t{rec}\t-> {into}\t{m.detail}")
    if not rows and not as_json:
        click.echo("(no merges or suspected duplicates)")


@curate_cmd.command("unmerge")
@click.argument("record_or_merge")
@REVIEWER
@pass_ctx
def unmerge_cmd(obj, record_or_merge: str, reviewer: str) -> None:
    """Undo a duplicate merge: RECORD_OR_MERGE is a merge id (`curate merges`), a record (entry key,
    FILE#ENTRY) or a paper (key or IRI). The record becomes a paper of its own again, with the metadata
    its source had; `curate undo DECISION` merges it back. Prints the decision IRI."""
    from pipeline.ingest.unmerge import unmerge

    click.echo(unmerge(obj.store(), reviewer, record_or_merge))


@curate_cmd.command("duplicate")
@click.argument("record")
@click.option("--of", "of", help="The paper RECORD duplicates (key or IRI); not needed for a suspect id.")
@REVIEWER
@pass_ctx
def duplicate_cmd(obj, record: str, of: str | None, reviewer: str) -> None:
    """Confirm a suspected duplicate (suspect id from `curate merges`) or mark RECORD a duplicate --of a paper."""
    from pipeline.ingest.unmerge import confirm_duplicate

    click.echo(confirm_duplicate(obj.store(), reviewer, record, of))


@curate_cmd.command("not-duplicate")
@click.argument("record")
@click.option("--of", "of", help="The paper RECORD is not a duplicate of (key or IRI); not needed for a suspect id.")
@REVIEWER
@pass_ctx
def not_duplicate_cmd(obj, record: str, of: str | None, reviewer: str) -> None:
    """Dismiss a suspected duplicate: the two are different works and ingest keeps them apart."""
    from pipeline.ingest.unmerge import not_duplicate

    click.echo(not_duplicate(obj.store(), reviewer, record, of))
