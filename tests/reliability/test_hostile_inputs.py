"""Issue item 1: hostile files through the real CLI, one forked process each, under a hang guard."""

from __future__ import annotations

import relkit

# A hang guard, not a claim: a normal input takes a few seconds, a hang never ends. What bounds
# the inputs that used to hang is asserted by its effect (a refusal, a field left undecoded).
HANG_GUARD_S = 300.0


def test_fuzz_seed_corpus(driver, rel_template, tmp_path):
    # the full-size cases of the known hangs run in test_known_hangs and in bench/reliability
    inputs = [(n, d) for n, d in relkit.hostile_inputs(big_field=2**20, many_pages=40)
              if n != "ten-mb-field.bib"]
    fig = relkit.run_fuzz(driver, tmp_path, inputs, HANG_GUARD_S, template=rel_template)
    print(f"fuzz: inputs={fig['inputs']} crashes={fig['crashes']} hangs={fig['hangs']} "
          f"store_changes={fig['store_changes']} rejected={fig['rejected']} ingested={fig['ingested']} "
          f"noise_lines={fig['noise_lines']}")
    for line in fig["details"]:
        print("  " + line)
    assert fig["inputs"] >= 40
    assert fig["crashes"] == 0 and fig["hangs"] == 0 and fig["store_changes"] == 0, fig["details"]
    assert fig["rejected"] >= 20  # most hostile files are refused, with one line each


def test_huge_inputs_are_bounded(driver, rel_template, tmp_path):
    """Once hangs (docs/reliability.md findings 2-3): a 10 MB BibTeX field and a 2000-page PDF."""
    inputs = [(n, d) for n, d in relkit.hostile_inputs() if n in relkit.HUGE_INPUTS]
    fig = relkit.run_fuzz(driver, tmp_path, inputs, HANG_GUARD_S, template=rel_template)
    print(f"fuzz-huge: inputs={fig['inputs']} hangs={fig['hangs']} store_changes={fig['store_changes']}")
    assert fig["store_changes"] == 0
    assert fig["hangs"] == 0 and fig["crashes"] == 0, fig["details"]
    # the 2000-page PDF is refused before the layout model reads a page, with the limit named
    assert "pages" in fig["output"]["many-pages.pdf"] and "FEDATLAS_MAX_PAGES" in fig["output"]["many-pages.pdf"]
    # the 10 MB field is cut and left undecoded (LaTeX decoding is super-linear), and says so
    assert "LaTeX left undecoded" in fig["output"]["ten-mb-field.bib"]
