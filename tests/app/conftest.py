"""AppTest fixtures: the real app script against a real temporary store."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAIN = str(ROOT / "app" / "main.py")


@pytest.fixture
def app_store(demo_store, monkeypatch):
    monkeypatch.setenv("FEDATLAS_STORE", demo_store.location)
    return demo_store


@pytest.fixture
def app(app_store):
    """An AppTest of app/main.py with reviewer 'Ada' signed in; call ``app.open(page)``."""
    from streamlit.testing.v1 import AppTest

    class App:
        def __init__(self) -> None:
            self.at = AppTest.from_file(MAIN, default_timeout=60)

        def open(self, page: str, who: str | None = "Ada"):
            # a fresh browser session; the name is typed before the first run
            # (AppTest does not keep sidebar widgets of st.navigation apps across reruns)
            self.at = at = AppTest.from_file(MAIN, default_timeout=60)
            if who:
                at.session_state["reviewer"] = who  # signed in (the sidebar's form sets it on submit)
            at.run()
            if page != "proposals":
                at.switch_page(f"views/{page}.py").run()
            assert not at.exception, at.exception
            return at

    return App()
