"""The one curation API: every human decision goes through here.

The app (``app/``) and the CLI (``fedatlas curate ...``) call these functions;
nothing else writes human decisions. Each decision is an event in the
curation graph (who, when, action, target, payload JSON, based on which
earlier decision), applied in one transaction with a stale-write check; any
decision can be undone (walking back from the latest on its target).

Writers take ``(store, reviewer, ..., based_on=LATEST)`` and return the new
decision's IRI (or the created resource's). ``based_on`` is the latest
decision on the target the reviewer saw (``None``: they saw none); a
mismatch raises :class:`pipeline.errors.StaleWriteError` and writes nothing.
"""

from pipeline.curate import events_model, proposals_model, records_model  # noqa: F401  (how cached read models follow decisions)
from pipeline.curate.agreement import (
                        coding_agreement,
                        coding_reviewers,
                        cohen_kappa,
                        screening_agreement,
                        screening_kappas,
                        screening_reviewers,
)
from pipeline.curate.codebook import (
                        add_memo,
                        categories,
                        code_page,
                        create_category,
                        create_technique,
                        define,
                        memos,
                        merge,
                        move_code,
                        open_codes,
                        refine,
                        rename,
                        set_category,
                        split,
                        techniques,
                        uncategorised,
)
from pipeline.curate.effects import assessments, cell, cell_history, disagreements, matrix, set_effect
from pipeline.curate.events import (
                        LATEST,
                        Event,
                        Reviewer,
                        effective_stack,
                        history,
                        latest_decision,
                        latest_decisions,
                        recent,
                        reviewer,
                        undo,
)
from pipeline.curate.methods import (
                        MethodView,
                        accept_into,
                        add_method,
                        assign,
                        mark_no_method,
                        method_views,
                        methods_of,
                        rename_method,
)
from pipeline.curate.methods import refresh as refresh_methods
from pipeline.curate.prisma import prisma_counts
from pipeline.curate.proposals import (
                        ProposalView,
                        accept,
                        add_code,
                        bulk_accept,
                        code_labels,
                        current_status,
                        edit,
                        locate,
                        paper_text,
                        papers,
                        paragraph_of,
                        proposals,
                        reject,
)
from pipeline.curate.query import check_read_only, run_read_only, saved_queries
from pipeline.curate.screening import (
                        add_record,
                        conflicts,
                        exclusion_reasons,
                        included_papers,
                        records,
                        resolve,
                        screen,
                        set_exclusion_reasons,
)
from pipeline.curate.screening import decisions as screening_decisions
from pipeline.curate.suggest import suggest_merges

__all__ = [
    "accept", "accept_into", "add_code", "add_memo", "add_method", "add_record", "assessments", "assign",
    "bulk_accept", "categories", "cell", "cell_history", "check_read_only", "code_labels", "code_page",
    "coding_agreement", "coding_reviewers", "cohen_kappa", "conflicts", "create_category", "create_technique",
    "current_status", "define", "disagreements", "edit", "effective_stack", "Event", "exclusion_reasons",
    "history", "included_papers", "LATEST", "latest_decision", "latest_decisions", "locate",
    "mark_no_method", "matrix", "memos", "merge", "method_views", "methods_of", "MethodView", "move_code",
    "open_codes", "paper_text", "papers", "paragraph_of", "prisma_counts", "proposals", "ProposalView",
    "recent", "records", "refine", "refresh_methods", "reject", "rename", "rename_method", "resolve",
    "Reviewer", "reviewer", "run_read_only", "saved_queries", "screen", "screening_agreement",
    "screening_decisions", "screening_kappas", "screening_reviewers", "set_category", "set_effect",
    "set_exclusion_reasons", "split", "suggest_merges", "techniques", "uncategorised", "undo",
]
