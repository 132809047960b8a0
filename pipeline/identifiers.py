"""When two records are the same work: normalised DOI, arXiv id and title.

One definition for ingest deduplication, snowballing and screening, so a
preprint and its published version, or a reference and a corpus paper, are
recognised the same way everywhere.
"""

from __future__ import annotations

import re
import unicodedata


def norm_doi(doi: str | None) -> str:
    d = (doi or "").strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", d)


def norm_arxiv(arxiv: str | None) -> str:
    a = (arxiv or "").strip().lower()
    a = re.sub(r"^(arxiv:|https?://arxiv\.org/abs/)", "", a)
    return re.sub(r"v\d+$", "", a)


def normalise_title(title: str | None) -> str:
    """Lower-case ASCII words only: preprint and published titles compare equal."""
    t = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode().lower()
    t = re.sub(r"\(.*?\)", " ", t)  # "(later: ...)" notes, acronyms in parentheses
    return " ".join(re.findall(r"[a-z0-9]+", t))


def identity_keys(title: str | None, doi: str | None = None, arxiv: str | None = None) -> list[str]:
    """Keys under which a work is known; two works sharing any key are the same work."""
    keys = []
    if norm_doi(doi):
        keys.append("doi:" + norm_doi(doi))
    if norm_arxiv(arxiv):
        keys.append("arxiv:" + norm_arxiv(arxiv))
    t = normalise_title(title)
    if len(t) >= 12:  # very short titles are not identities
        keys.append("title:" + t)
    return keys
