"""Reliability kit: hostile inputs, a forking CLI runner, store invariants and worker roles.

Shared by ``tests/reliability`` (small fixed counts) and ``bench/reliability`` (big counts); one
module per concern, the names re-exported here so callers write ``relkit.run_fuzz``. The roles
run in processes of their own through ``role_argv``::

    role_argv("driver")                               # forking CLI runner (JSON lines on stdin/stdout)
    role_argv("curate-worker", STORE, NAME, *PROPOSALS)  # one accept decision per proposal
    role_argv("curate-loop", STORE, NAME)             # toggles accept/reject in batches until killed
"""

from __future__ import annotations

from relkit.common import BATCH, FAST_PROPOSERS, HERE, PROPOSER_ARGS, ROOT, role_argv
from relkit.driver import Driver, Outcome
from relkit.inputs import BIB_OK, HUGE_INPUTS, RIS_OK, hostile_inputs, write_inputs
from relkit.invariants import (
    _fresh_copy,
    _validate,
    batch_problems,
    curation_consistency,
    decision_rows,
    dump_by_graph,
    effective_graph,
    graph_counts,
    open_store,
)
from relkit.scenarios import make_import_file, run_fuzz, run_kills
from relkit.workers import curate_loop, curate_worker, many_proposals_store, proposal_iris

__all__ = [
    "BATCH", "BIB_OK", "FAST_PROPOSERS", "HERE", "HUGE_INPUTS", "PROPOSER_ARGS", "RIS_OK", "ROOT", "Driver",
    "Outcome", "_fresh_copy", "_validate", "batch_problems", "curate_loop", "curate_worker", "curation_consistency",
    "decision_rows", "dump_by_graph", "effective_graph", "graph_counts", "hostile_inputs", "make_import_file",
    "many_proposals_store", "open_store", "proposal_iris", "role_argv", "run_fuzz", "run_kills", "write_inputs",
]
