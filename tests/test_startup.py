"""`fedatlas` starts fast: heavy libraries load only in the commands that need them."""

import subprocess
import sys

from atlas_testing import ROOT


def test_cli_import_does_not_load_torch_or_models():
    code = ("import sys, pipeline.cli; heavy = [m for m in ('torch', 'sentence_transformers', 'streamlit', "
            "'matplotlib', 'fitz', 'pymupdf') if m in sys.modules]; print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
