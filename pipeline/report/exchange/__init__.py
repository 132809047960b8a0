"""Exchange formats: what Atlas writes for (and reads from) other tools.

* :mod:`.bib` -- BibTeX and RIS of the included papers (import is ingestion's)
* :mod:`.skos` -- the codebook as SKOS Turtle
* :mod:`.qdc` -- the codebook as a REFI-QDA codebook (``.qdc``), export and import
* :mod:`.orkg` -- an ORKG-style comparison CSV, one row per method
* :mod:`.qdpx` -- the coding as a REFI-QDA project, export and import
* :mod:`.labels` -- screening labels from ASReview, Rayyan, Covidence; ASReview export
* :mod:`.exporters` -- all of the above in one registry (kind ``exporters``)
"""
