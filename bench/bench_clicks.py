"""The server side of the app's proposal clicks at a review's real size, without a browser.

``bench/bench_app.py`` needs Chromium; where there is none, this measures what
the Python process does for a click: the button's callback (the decision's
write, the methods rebuild) and the page script's rerun, through Streamlit's
``AppTest`` on the same store ``bench_app.build_store`` makes (5,000 records,
58 full texts, ~500 proposals, ~2,000 decisions). The clicks are the browser
bench's: accept, previous, undo accept. Printed: median and max per action and
undo accept / accept (same run), the ratio that tells whether undo costs more
than the click it reverts.

    python bench/bench_clicks.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _button(at, label_start: str):
    hits = [b for b in at.button if str(b.label).startswith(label_start)]
    if not hits:
        raise SystemExit(f"no button {label_start!r} on the page: {[b.label for b in at.button]}")
    return hits[0]


def run_clicks(location: str, repeat: int) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

    os.environ["FEDATLAS_STORE"] = location
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.session_state["reviewer"] = "Bench Reviewer"
    at.run()  # the Proposals page opens first
    for _ in range(2):  # the read models are warm, as in a running app
        at.run()
    if at.exception:
        raise SystemExit(f"page exception: {at.exception}")
    times: dict[str, list[float]] = {}

    def timed(name: str, button) -> None:
        t0 = time.perf_counter()
        button.click().run()
        times.setdefault(name, []).append(time.perf_counter() - t0)
        if at.exception:
            raise SystemExit(f"{name}: page exception: {at.exception}")
        print(f"  {name}: {times[name][-1]:.3f} s", flush=True)

    for _ in range(repeat):
        timed("accept", at.button(key="btn_accept"))
        timed("previous", _button(at, "Previous"))
        timed("undo accept", _button(at, "Undo 'accept"))
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--store", help="use (and keep) this store; built if it does not exist")
    args = ap.parse_args(argv)
    from bench_app import prepared_store

    with tempfile.TemporaryDirectory(prefix="bench-clicks-") as tmp:
        location = prepared_store(args.store or str(Path(tmp) / "store"), args.records)
        times = run_clicks(location, args.repeat)
    print(f"\n{'action':<12} {'n':>3} {'median s':>9} {'max s':>7}")
    for name, ts in times.items():
        print(f"{name:<12} {len(ts):>3} {statistics.median(ts):>9.3f} {max(ts):>7.3f}")
    acc, und = statistics.median(times["accept"]), statistics.median(times["undo accept"])
    print(f"undo accept / accept (medians, same run): {und / acc:.2f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
