"""The llama.cpp that the LLM tests run is built for any x86-64 of this decade, not for the
machine that compiled it: a native build (pip's default) used AVX-512 and crashed the server
on another CPU (general protection fault in libggml-cpu.so). The Makefile builds it portably."""

from __future__ import annotations

import platform
import shutil
import subprocess
from pathlib import Path

import pytest


def test_llama_cpp_cpu_backend_uses_no_avx512():
    llama_cpp = pytest.importorskip("llama_cpp")
    if platform.machine() != "x86_64":
        pytest.skip("the AVX-512 question is an x86-64 one")
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.skip("objdump (binutils) is not installed")
    libs = sorted((Path(llama_cpp.__file__).parent / "lib").glob("libggml-cpu*.so*"))
    assert libs, "llama_cpp ships no libggml-cpu"
    proc = subprocess.Popen([objdump, "-d", "--no-show-raw-insn", str(libs[0])], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    wide = sum("zmm" in line for line in proc.stdout)  # AVX-512 registers
    assert proc.wait() == 0
    assert wide == 0, (f"{libs[0]} uses AVX-512 in {wide} instructions: it was built natively; "
                       "rebuild with `make install-test` (portable CMAKE_ARGS)")
