"""The workbench's pages, registered like every other extension (kind ``app_pages``).

A plugin adds a page through the entry-point group ``fedatlas.app_pages`` with a
:class:`Page` whose ``script`` is the path of its Streamlit script; built-in pages
come first, in the order a review runs, then plugins by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.registry import Registry

VIEWS = Path(__file__).parent / "views"


@dataclass(frozen=True)
class Page:
    key: str  # URL path, e.g. "screening"
    title: str
    icon: str  # a Streamlit icon, e.g. ":material/filter_alt:"
    script: str  # path of the page's Streamlit script


APP_PAGES: Registry[Page] = Registry("app_pages", key=lambda page: page.key)

BUILTIN = [
    ("screening", "Screening", ":material/filter_alt:"),
    ("proposals", "Proposals", ":material/checklist:"),
    ("codebook", "Codebook", ":material/account_tree:"),
    ("effects", "Effects", ":material/grid_on:"),
    ("methods", "Methods", ":material/science:"),
    ("overview", "Overview", ":material/monitoring:"),
    ("query", "Query", ":material/terminal:"),
    ("ingest", "Ingest", ":material/upload_file:"),
    ("history", "History", ":material/history:"),
]
for _key, _title, _icon in BUILTIN:
    APP_PAGES.register(Page(_key, _title, _icon, str(VIEWS / f"{_key}.py")))


def pages() -> list[Page]:
    """Built-in pages in review order, then plugin pages by name."""
    builtin = [APP_PAGES.get(key) for key, _t, _i in BUILTIN]
    return builtin + [page for name, page in APP_PAGES.items() if name not in {p.key for p in builtin}]
