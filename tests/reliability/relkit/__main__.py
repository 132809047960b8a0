"""Play one kit role in this process: ``python relkit/__main__.py ROLE ARGS...`` (see ``role_argv``)."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: make ``relkit`` importable
    import relkit
    from relkit.driver import driver_main

    role, *rest = sys.argv[1:]
    if role == "driver":
        driver_main()
    elif role == "curate-worker":
        relkit.curate_worker(*rest)
    elif role == "curate-loop":
        relkit.curate_loop(*rest)
    else:
        raise SystemExit(f"unknown role {role}")
