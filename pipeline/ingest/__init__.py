"""Ingest: records from sources -> deduplicated paper graphs with proposals, in the store.

``loop`` runs the pipeline over files in batches (``batch``: one parser pass and
one embedding call per batch; ``writer``: one store transaction per batch);
``dedup`` decides which records are the same work; ``paper_graph`` turns a
Document into triples; ``snowball`` finds new records through citations of
included papers; ``unmerge`` takes a merge back (and confirms or dismisses suspected duplicates).
"""

from __future__ import annotations

from pipeline.ingest import unmerge  # the module; importing it registers how an unmerge decision is undone
from pipeline.ingest.loop import expand_paths, ingest_paths, process_file
from pipeline.ingest.summary import IngestSummary

__all__ = ["IngestSummary", "expand_paths", "ingest_paths", "process_file", "unmerge"]
