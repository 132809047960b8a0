"""Ingest: records from sources -> deduplicated paper graphs with proposals, in the store.

``loop`` runs the pipeline over files (parse -> sentences -> embeddings ->
proposals -> one transaction per paper); ``paper_graph`` turns a Document into
triples; ``snowball`` finds new records through citations of included papers.
"""

from __future__ import annotations

from pipeline.ingest.loop import IngestSummary, expand_paths, ingest_paths, process_file

__all__ = ["IngestSummary", "expand_paths", "ingest_paths", "process_file"]
