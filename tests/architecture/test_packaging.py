"""Atlas's top-level import names belong to Atlas alone in this environment (see README)."""

from __future__ import annotations

import importlib.metadata as md

OURS = ["pipeline", "app", "corpus", "ontology", "eval_fednas"]


def test_no_other_distribution_provides_our_import_names():
    owners = md.packages_distributions()
    clashes = {name: sorted(set(owners.get(name, [])) - {"fednas-atlas"}) for name in OURS}
    clashes = {name: dists for name, dists in clashes.items() if dists}
    assert not clashes, (f"these installed distributions also provide Atlas's import names: {clashes}; "
                         "install Atlas in its own virtual environment")


def test_each_name_is_provided_by_atlas():
    owners = md.packages_distributions()
    assert all("fednas-atlas" in owners.get(name, []) for name in OURS), {n: owners.get(n) for n in OURS}


def test_every_data_file_the_code_reads_is_package_data():
    """A non-editable install must carry the schemas, static files, corpus and app components."""
    import fnmatch
    import subprocess
    import tomllib

    from atlas_testing import ROOT

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    tracked = subprocess.run(["git", "ls-files", *OURS], cwd=ROOT, capture_output=True, text=True).stdout.split()
    data = [f for f in tracked if not f.endswith(".py") and not f.startswith("eval_fednas/")]  # eval results are records
    missing = []
    for path in data:
        parts = path.split("/")
        covered = False
        for i in range(1, len(parts)):
            package, rest = ".".join(parts[:i]), "/".join(parts[i:])
            covered |= any(fnmatch.fnmatch(rest, pat) for pat in patterns.get(package, []))
        if not covered:
            missing.append(path)
    assert missing == [], f"add to [tool.setuptools.package-data]: {missing}"
