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
