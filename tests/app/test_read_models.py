"""Read models are cached per store revision: a rerun without a write reads nothing again, and
every decision (in the app or from another handle on the store) shows at the next run."""

from __future__ import annotations

from pipeline import curate
from pipeline.ingest.testing import PAPER_A


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_records_are_read_once_per_revision_and_refresh_after_a_decision(app, app_store, monkeypatch):
    calls = []
    real = curate.records

    def counting(store):
        calls.append(store.revision())
        return real(store)

    monkeypatch.setattr(curate, "records", counting)
    at = app.open("screening")
    at.toggle(key="scr_todo").set_value(False).run()
    at.selectbox(key="scr_paper").set_value(PAPER_A.value).run()
    n = len(calls)
    at.run()
    at.run()
    assert len(calls) == n  # reruns without a write: the cached records
    _button(at, "Include").click().run()
    assert len(calls) == n + 1 and calls[-1] == app_store.revision()
    assert any(i.value.startswith("Your decision: include") for i in at.info)
    curate.screen(app_store, "Ada", PAPER_A, "title-abstract", "exclude")  # another handle, as a CLI would
    at.run()
    assert len(calls) == n + 2
    assert any(i.value.startswith("Your decision: exclude") for i in at.info)
