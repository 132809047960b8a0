"""Mechanism phrases from the dependency parse: how papers state what they change.

Papers state a mechanism in a few grammatical shapes, whatever the words:

* an own action on an object: "we adaptively **assign sub-models** to participants",
  "we gradually **prune the search space**" -> "adaptively assigning sub-models";
* a light verb whose object names the mechanism: "we propose **delay-compensated
  synchronization**", "we apply **a personalized DP strategy**";
* a passive with the mechanism as subject: "**a knowledge distillation-based training
  framework** is proposed", "**differentiable architecture fine-tuning** is achieved via ...";
* a means clause: "... by **exchanging gradients** of architecture variables";
* an enumeration: "three optimizations: A, B, and C" (one mechanism per item).

What is *not* a mechanism, also by shape: the paper's framework ("we present FedX, a
framework for ...": a coined name, or an object made only of generic words), purpose clauses
("to reduce communication": the challenge), result clauses ("thus making ...", "achieves",
"outperforms"), background statements without an own subject, and analysis objects
("theoretical guarantees"). The parser runs once per batch of sentences (``nlp.pipe``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

#: Verbs whose object (not the verb) names the mechanism.
LIGHT_VERBS = frozenset({
    "propose", "introduce", "present", "develop", "design", "devise", "build", "construct", "adopt",
    "employ", "use", "utilize", "utilise", "leverage", "apply", "exploit", "incorporate", "integrate",
    "study", "provide", "offer", "implement", "create", "formulate", "establish", "enable", "realize",
    "contain", "include", "feature", "equip", "perform",
})
#: Verbs that report findings or aims, never a mechanism.
RESULT_VERBS = frozenset({
    "show", "demonstrate", "outperform", "evaluate", "validate", "verify", "confirm", "test", "obtain",
    "attain", "surpass", "reach", "improve", "yield", "prove", "observe", "report", "compare", "exceed",
    "beat", "indicate", "reveal", "suggest", "aim", "pose", "rely", "achieve", "call", "term", "name",
    "dub", "denote", "refer", "emerge", "envision", "want", "try", "seek", "motivate", "inspire", "plan", "hope", "believe", "know", "remain",  # noqa: E501
    "suffer", "face", "confront", "struggle", "require", "need", "become", "seem", "appear", "hinder",
    "lead", "make", "allow", "help", "facilitate", "mitigate", "alleviate", "relieve", "resist", "ensure",
    "guarantee", "preserve", "protect", "reduce", "lower", "save", "cut", "speed", "accelerate",
    "tackle", "address", "solve", "resolve", "overcome", "handle", "deal", "cope", "enhance",
    "explore", "showcase", "maintain", "advocate", "argue", "discuss", "review", "summarize", "outline",
    "analyze", "analyse", "examine", "demand", "raise", "prevent", "tolerate",
})
#: Who acts in a federated method description: "the server aggregates ...", "clients sample ...".
FL_ACTORS = frozenset({"client", "clients", "server", "servers", "worker", "workers", "device", "devices",
                       "participant", "participants", "party", "parties", "node", "nodes", "cloud",
                       "coordinator", "aggregator", "silo", "silos", "user", "users", "edge"})
_MODAL_NEED = frozenset({"must", "need", "should", "may", "might", "could", "cannot", "would"})
#: "treat / formulate / model X as Y": the mechanism is "X as Y".
_AS_VERBS = frozenset({"treat", "formulate", "model", "cast", "view", "regard", "frame", "reformulate",
                       "represent", "encode", "interpret", "reduce", "transform", "convert"})
#: Generic words: an object made only of these is the framework or the task, not a mechanism.
GENERIC = frozenset({
    "framework", "method", "approach", "system", "scheme", "paradigm", "solution", "algorithm", "model",
    "technique", "strategy", "mechanism", "methodology", "pipeline", "architecture", "architectures",
    "search", "nas", "neural", "network", "networks", "federated", "learning", "fl", "automatic",
    "automated", "novel", "new", "efficient", "effective", "first", "simple", "general", "unified",
    "highly", "optimized", "two", "phase", "two-phase", "end", "end-to-end", "training", "dnn", "deep",
    "machine", "work", "paper", "idea", "design", "process", "procedure", "task", "problem", "way",
    "manner", "setting", "scenario", "version", "variant", "extension", "family", "platform", "tool",
    "practical", "lightweight", "distributed", "decentralized", "collaborative", "generic", "robust",
    "scalable", "flexible", "powerful", "principled", "automl", "hpo", "one", "called", "named",
    "structure", "structures", "models", "searching", "local", "global", "optimization",
    "optimizations", "techniques", "key", "designs", "component", "components", "module", "modules",
    "step", "steps", "stage", "stages", "part", "parts", "main", "major", "core", "proposed", "methods", "frameworks", "systems",
    "we", "it", "this", "that", "which", "they", "them", "our",
})
#: Objects that are analysis or evaluation, not a change to the method.
NON_MECHANISM_HEADS = frozenset({
    "guarantee", "guarantees", "analysis", "analyses", "proof", "proofs", "bound", "bounds",
    "experiment", "experiments", "evaluation", "evaluations", "study", "studies", "comparison",
    "survey", "overview", "introduction", "review", "result", "results", "performance", "accuracy",
    "insight", "insights", "benchmark", "benchmarks", "dataset", "datasets", "code", "implementation",
    "trade-off", "tradeoff", "need", "goal", "aim", "vision", "challenge", "challenges", "issue",
    "problem", "difficulty", "convergence", "speedup", "improvement", "efficiency", "cost", "costs",
    "contribution", "contributions", "discovery", "evidence",
    "question", "questions", "effectiveness", "potential", "feasibility", "superiority", "importance",
    "details", "detail", "ratio", "hundreds", "thousands", "dozens", "millions", "one", "ones", "set",
    "part", "parts", "rest", "example", "examples", "case", "cases", "figure", "table", "section",
})
#: Words that point back at mechanisms named elsewhere ("the aforementioned techniques").
_ANAPHORIC = frozenset({"aforementioned", "above", "following", "previous", "these", "those", "such",
                        "said", "latter", "former", "same", "other", "several", "various", "many"})
_COINED = re.compile(r"^(?=.*[A-Z].*[A-Z])[A-Za-z][A-Za-z0-9\-]*$")  # FedNAS, DP-FNAS, HAPFNAS, heteroFedAvg
_COMMON_ACRONYMS = frozenset({"NAS", "FL", "DP", "RL", "DNN", "CNN", "RNN", "GNN", "HPO", "AI", "ML", "IID",
                              "GPU", "CPU", "SGD", "EC", "IoT", "MEC", "HO", "AutoML", "LLM", "ViT"})
_RESULT_SENTENCE = re.compile(
    r"\b(experiments?|results?|evaluations?|empirical(ly)?|extensive(ly)?)\b.{0,80}\b(show|demonstrate|"
    r"indicate|reveal|confirm|verify|validate|suggest)|\b(outperform\w*|state-of-the-art accuracy|"
    r"speed-?up of|\bachieves? (comparable|higher|better|superior|competitive|similar|significant)|by up to|\d+(\.\d+)?\s?(%|×|x\b))|^\s*(we|our)\s+(\w+\s+)?(show|demonstrate|evaluate|"  # noqa: E501
    r"validate|conduct|test|compare)\b|\bcode\b.{0,40}\bavailable\b", re.I)
_MAX_WORDS = 7
#: "X is achieved / realized via ...": the subject names the mechanism.
PASSIVE_MEANS = frozenset({"achieve", "realize", "realise", "perform", "conduct", "accomplish", "attain"})
#: Discourse and degree adverbs: never part of a mechanism label (manner adverbs are).
_NOT_MANNER = frozenset({
    "specifically", "finally", "firstly", "secondly", "thirdly", "additionally", "novelly", "effectively",
    "efficiently", "significantly", "greatly", "fully", "highly", "simply", "largely", "mainly", "mostly",
    "usually", "typically", "particularly", "especially", "generally", "naturally", "actually", "really",
    "newly", "recently", "only", "also", "further", "then", "substantially", "successfully", "easily",
    "carefully", "properly", "directly", "subsequently", "consequently", "accordingly", "respectively",
    "similarly", "likewise", "notably", "importantly", "ultimately", "initially", "eventually"})


_PREFIX: dict[int, list[Token]] = {}  # per sentence: object head -> tokens split off before it


@dataclass(frozen=True)
class Mechanism:
    """One mechanism a sentence states: a short label and its clause (char offsets in the sentence)."""

    label: str
    start: int
    end: int
    shape: str  # action | object | passive | means | item | purpose


def is_result_sentence(text: str) -> bool:
    return bool(_RESULT_SENTENCE.search(text))


def coined_names(text: str) -> list[str]:
    """Coined names in a text (FedNAS, DP-FNAS, heteroFedAvg), common acronyms left out."""
    out = []
    for tok in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", text):
        tok = tok.strip("-")
        if _COINED.match(tok) and tok not in _COMMON_ACRONYMS and not tok.isdigit():
            out.append(tok)
    return out


def _own_subject(verb: Token, framework: set[str], depth: int = 0) -> bool:
    """Whether the clause of ``verb`` is the authors' own doing (we / our X / FedX / passive)."""
    head = verb
    while head.dep_ in ("conj", "xcomp", "relcl", "acl", "advcl", "ccomp", "pcomp") and head.head is not head:
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
            break
        head = head.head
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
    if head.dep_ in ("relcl", "acl"):
        # describes a noun: own when that noun is what an own verb introduces ("a framework that ...")
        noun = head.head
        for _ in range(6):
            if noun.pos_ in ("VERB", "AUX") and noun.dep_ not in ("acl", "amod") or noun.head is noun:
                break
            noun = noun.head
        return depth < 3 and noun.pos_ in ("VERB", "AUX") and noun is not verb and \
            noun.lemma_ not in RESULT_VERBS and _own_subject(noun, framework, depth + 1)
    if any(c.dep_ == "aux" and c.lemma_ == "have" for c in head.children):
        return False  # "techniques have been proposed": what others did
    if not subjects:
        return head.dep_ == "ROOT" and head.tag_ in ("VBN",)  # "... is proposed" without subject
    subj = subjects[0]
    words = {t.lower_ for t in subj.subtree}
    if any(c.dep_ == "aux" and c.lower_ in _MODAL_NEED for c in head.children) or \
            any(c.dep_ == "neg" for c in head.children):
        return False  # "parameters must be transmitted": a need or a limit, not the method
    if subj.lemma_.lower() in FL_ACTORS or subj.lower_ in FL_ACTORS:
        return True  # "the server aggregates ...": the federated protocol of the method
    if words & {"we", "our", "us"}:
        return True
    if any(t.text in framework for t in subj.subtree):
        return True
    if subj.dep_ == "nsubjpass":
        return subj.lower_ not in NON_MECHANISM_HEADS and subj.lemma_ not in NON_MECHANISM_HEADS
    if "its" in words and subj.pos_ in ("NOUN", "PROPN"):
        return True
    if subj.pos_ == "PROPN" and _COINED.match(subj.text) and subj.text not in _COMMON_ACRONYMS:
        return True  # "FedNAS incorporates ...": a named method acting
    return words <= {"it", "this", "method", "approach", "framework", "system", "algorithm", "the",
                     "proposed", "scheme", "which", "that"}


def _is_purpose(verb: Token) -> bool:
    """"to reduce ...", "so as to ...", "in order to ..." clauses: the goal, not the mechanism."""
    if verb.dep_ == "conj" and verb.head is not verb and _is_purpose(verb.head):
        return True  # "to discover and train ..."
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and verb.dep_ in (
        "advcl", "xcomp", "acl", "relcl", "ccomp", "conj")


def _is_result_clause(verb: Token) -> bool:
    return (verb.tag_ == "VBG" and any(c.lower_ in ("thus", "thereby", "hence", "therefore", "consequently")
                                        for c in verb.children)) or (verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.i > verb.head.i  # noqa: E501
            and verb.lemma_ in RESULT_VERBS)


def _phrase(head: Token, with_of: bool = True, with_prep: bool = False) -> list[Token]:
    """The compact noun phrase of ``head``: modifiers, the head, one 'of X' (and one other prep)."""
    keep: list[Token] = list(_PREFIX.get(head.i, ()))
    for c in head.lefts:
        if c.dep_ in ("amod", "compound", "nmod", "npadvmod", "nummod", "advmod", "poss", "quantmod") \
                and c.lower_ not in ("its", "their", "our", "his", "her", "each", "every", "this", "these") \
                and not c.like_num:
            keep.extend(t for t in c.subtree if not t.is_punct or t.text == "-")
    keep.append(head)
    for c in head.rights:
        if c.dep_ == "prep" and ((with_of and c.lower_ == "of") or (with_prep and c.lower_ in (
                "for", "to", "on", "with", "across", "from", "into", "over", "per", "among", "between"))):
            pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                keep.append(c)
                keep.extend(t for t in _phrase(pobj, with_of=False))
                with_of = with_prep = False
    for c in head.children:  # "architectures and hyperparameters": one conjunct joins the phrase
        if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN") and c.i > head.i and with_of:
            cc = [g for g in head.children if g.dep_ == "cc" and head.i < g.i < c.i]
            keep.extend(cc[:1])
            for t in c.lefts:
                if t.dep_ in ("amod", "compound", "nmod", "npadvmod"):
                    keep.extend(t.subtree)
            keep.extend(t for t in c.subtree if t.i < c.i and t.text == "-")
            keep.append(c)
            break
    keep = set(keep)
    doc = head.doc
    for t in list(keep):  # hyphen infixes: "fine - tuning", "sub - models"
        if t.i + 2 < len(doc) and doc[t.i + 1].text == "-" and doc[t.i + 2] in keep:
            keep.add(doc[t.i + 1])
    for t in sorted(keep, key=lambda t: t.i):  # pieces of one written word split by the tokenizer
        j = t.i
        while j > 0 and not doc[j - 1].whitespace_ and (doc[j - 1].is_alpha or doc[j - 1].text == "-"):
            keep.add(doc[j - 1])
            j -= 1
        j = t.i
        while j + 1 < len(doc) and not doc[j].whitespace_ and (doc[j + 1].is_alpha or doc[j + 1].text == "-"):
            keep.add(doc[j + 1])
            j += 1
    ordered = sorted(keep, key=lambda t: t.i)
    return [t for t in ordered if t.pos_ != "DET" and t.dep_ != "det" and not _in_parens(t)]


def _in_parens(tok: Token) -> bool:
    doc = tok.doc
    left = [t.text for t in doc[max(0, tok.i - 6):tok.i]]
    right = [t.text for t in doc[tok.i + 1:tok.i + 7]]
    return ("(" in left and ")" not in left[left.index("(") if "(" in left else 0:]) and ")" in right \
        or tok.text in "()"


def _words(tokens: list[Token]) -> list[str]:
    """Words of a token list, rejoining what the tokenizer split inside a word ("sub-models")."""
    out: list[str] = []
    prev: Token | None = None
    for t in tokens:
        glued = prev is not None and prev.i + 1 == t.i and not prev.whitespace_
        if out and glued:
            out[-1] += t.text
        else:
            out.append(t.text)
        prev = t
    return [w for w in out if w not in ("-", ",")]


def _label(words: list[str]) -> str:
    words = [w for w in words if w.strip() and w.lower() != "only"]
    # a sentence-initial capital is no name: "Candidates" -> "candidates" (acronyms and CamelCase stay)
    words = [w[:1].lower() + w[1:] if w[:1].isupper() and w[1:].islower() and i else w for i, w in enumerate(words)]
    while words and words[-1].lower() in ("of", "to", "for", "and", "or", "with", "on", "in", "the", "a"):
        words.pop()
    words = words[:_MAX_WORDS]
    while words and words[-1].lower() in ("of", "to", "for", "and", "or", "with", "on", "in", "the", "a"):
        words.pop()
    text = " ".join(words)
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _names_framework(tokens, framework: set[str]) -> bool:
    return any(name in t.text for t in tokens for name in framework)


def _generic(tokens: list[Token], framework: set[str], head: Token | None = None) -> bool:
    """An object made only of generic words, or one that names the paper's framework."""
    content = [t for t in tokens if not t.is_punct and t.pos_ not in ("DET", "ADP", "CCONJ", "PRON")]
    if _names_framework(tokens, framework) or (head is not None and _names_framework(head.subtree, framework)
                                               and head.lemma_ in GENERIC | {"framework", "method"}):
        return True
    return all(t.lower_ in GENERIC or t.lemma_.lower() in GENERIC for t in content)


def _gerund(verb: Token) -> str:
    lemma = verb.lemma_.lower()
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")):
        return lemma[:-1] + "ing"
    if re.match(r".*[^aeiou][aeiou][bdgmnpt]$", lemma) and len(lemma) <= 4 or \
            lemma.endswith(("mit", "fer", "pel", "trol", "cur")):
        return lemma + lemma[-1] + "ing"
    return lemma + "ing"


def _span(tokens: list[Token]) -> tuple[int, int]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _clause(verb: Token) -> tuple[int, int]:
    """The verb's clause without leading purpose / sentence adverbials (char offsets)."""
    toks = [verb]
    for c in verb.children:
        if c.dep_ in ("advcl", "punct", "cc", "conj", "mark", "advmod", "prep") and c.i < verb.i:
            continue
        if c.dep_ in ("conj", "cc") and c.i > verb.i:
            continue
        toks.extend(c.subtree)
    toks.sort(key=lambda t: t.i)
    while toks and toks[-1].is_punct:
        toks.pop()
    return _span(toks)


def _objects(verb: Token) -> list[Token]:
    objs = [c for c in verb.children if c.dep_ in ("dobj", "attr", "oprd") and c.text != "-"]
    if len(objs) > 1 and all(b.i - a.i <= 2 for a, b in zip(objs, objs[1:])):
        _PREFIX[objs[-1].i] = objs[:-1]  # "sub - models" parsed as three objects: the last is the head
        objs = objs[-1:]
    elif len(objs) > 1:
        objs = objs[-1:]  # "assigns each tier a width": the direct object comes last
    for prt in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("for", "on", "to", "with")):
        if verb.lemma_ in ("search", "rely", "focus", "depend", "build"):
            objs.extend(g for g in prt.children if g.dep_ == "pobj")
    return objs


def mechanisms(sent: Span | Doc, framework: set[str]) -> list[Mechanism]:
    """The mechanisms a parsed sentence states (offsets relative to the sentence start)."""
    _PREFIX.clear()
    base = sent[0].idx if len(sent) else 0
    found: list[Mechanism] = []
    seen_heads: set[int] = set()
    text = sent.text

    def add(label_words: list[str], span: tuple[int, int], shape: str, key: int) -> None:
        if any(w.lower() in _ANAPHORIC for w in label_words):
            return  # refers to mechanisms named elsewhere
        label = _label(label_words)
        if key in seen_heads or len(label.split()) < 2 and not re.search(r"[a-z]-[a-z]", label):
            return
        seen_heads.add(key)
        found.append(Mechanism(label, span[0] - base, span[1] - base, shape))

    # enumerations introduced by a colon: one mechanism per item
    colon = next((t for t in sent if t.text == ":" and t.i > sent[0].i + 3), None)
    root = sent.root if isinstance(sent, Span) else next(iter(sent.sents)).root
    if colon is not None and root.lemma_ not in RESULT_VERBS and _own_subject(root, framework):
        items = _enumeration(sent, colon)
        if len(items) >= 2:
            for s, e in items:
                words = text[s - base:e - base].split()
                while words and words[0].lower() in ("and", "or", "the", "a", "an"):
                    words = words[1:]
                if len(words) > _MAX_WORDS or any(t.dep_ == "nsubj" for t in sent if s <= t.idx < e):
                    words = _item_label(sent, s, e, framework) or words[:_MAX_WORDS]
                add(words, (s, e), "item", -s - 1)
            return found

    for tok in sent:
        if tok.pos_ not in ("VERB", "AUX") or tok.lemma_ in ("be", "have", "do", "can", "may", "will"):
            continue
        passive_ok = tok.lemma_ in PASSIVE_MEANS and any(c.dep_ == "nsubjpass" for c in tok.children)
        if _is_result_clause(tok) or (tok.lemma_ in RESULT_VERBS and not passive_ok):
            continue
        if _is_purpose(tok) or (tok.dep_ == "xcomp" and tok.head.lemma_ in RESULT_VERBS):
            continue
        if not _own_subject(tok, framework):
            continue
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
        # "... by exchanging gradients": the means is the mechanism
        means_preps = ("by", "via", "through", "using", "with") if passive else ("by", "via", "through", "using")
        for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in means_preps):
            g = next((c for c in prep.children if c.dep_ == "pcomp" and c.tag_ == "VBG"), None)
            if g is not None and g.lemma_ not in RESULT_VERBS:
                obj = next((c for c in g.children if c.dep_ == "dobj"), None)
                if obj is not None and not _generic(_phrase(obj), framework):
                    add([g.lower_] + _words(_phrase(obj, with_of=True)), _span(list(g.subtree)), "means", g.i)
            n = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if n is not None and prep.lower_ in ("with", "via", "using") and n.lemma_ not in NON_MECHANISM_HEADS \
                    and not _generic(_phrase(n, with_of=False), framework):
                add(_words(_phrase(n)), _span(list(prep.subtree)), "means", n.i)
                continue
            if n is not None and n.lemma_ in ("use", "means", "help", "application", "adoption", "introduction"):
                of = next((c for c in n.children if c.dep_ == "prep" and c.lower_ == "of"), None)
                n = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
                if n is not None and not _generic(_phrase(n), framework):
                    add(_words(_phrase(n)), _span(list(prep.subtree)), "means", n.i)
        if passive:
            subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
            if subj is not None and tok.lemma_ in LIGHT_VERBS | PASSIVE_MEANS:
                ph = _phrase(subj)
                if not _generic(ph, framework) and subj.lower_ not in NON_MECHANISM_HEADS:
                    add(_words(ph), _span(list(subj.subtree)), "passive", subj.i)
                continue
            if subj is not None and tok.lemma_ not in RESULT_VERBS and subj.tag_ not in ("PRP",):
                agent = next((c for c in tok.children if c.dep_ == "agent"), None)
                pobj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
                target = subj
                if _generic(_phrase(subj, with_of=False), framework) and pobj is not None:
                    target = pobj  # "the local model is stacked by base cell and personal cell"
                ph = _phrase(target)
                if not _generic(ph, framework):
                    add([_gerund(tok)] + _words(ph), _clause(tok), "action", tok.i)
            continue
        objs = _objects(tok)
        if not objs:
            continue
        obj = objs[0]
        if obj.lower_ in NON_MECHANISM_HEADS or obj.lemma_ in NON_MECHANISM_HEADS:
            continue
        if obj.pos_ == "PRON":
            continue
        as_prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "as"), None)
        as_obj = next((g for g in as_prep.children if g.dep_ == "pobj"), None) if as_prep is not None else None
        if as_obj is not None and tok.lemma_ in _AS_VERBS:
            words = _words(_phrase(obj)) + ["as"] + _words(_phrase(as_obj, with_of=False))
            add(words, _clause(tok), "action", tok.i)
            continue
        ph = _phrase(obj, with_prep=True)
        if tok.lemma_ in LIGHT_VERBS:
            if _generic(_phrase(obj, with_of=False), framework, obj) or obj.lower_ in NON_MECHANISM_HEADS:
                # the framework itself: its relative clauses are read on their own; what it is
                # built "to do" (a purpose that is no aim word) describes its mechanism
                goal = next((c for c in tok.children if c.dep_ in ("advcl", "xcomp") and _is_purpose(c)
                             and c.lemma_ not in RESULT_VERBS and c.lemma_ not in LIGHT_VERBS), None)
                gobj = _objects(goal)[:1] if goal is not None else []
                if goal is not None and not gobj:  # "to discover and train X": the object sits on the conjunct
                    gobj = next((_objects(c)[:1] for c in goal.children if c.dep_ == "conj" and _objects(c)), [])
                if gobj and not _generic(_phrase(gobj[0], with_of=False), framework):
                    conj = [c for c in goal.children if c.dep_ == "conj" and c.pos_ == "VERB"]
                    verbs = [_gerund(goal)] + (["and", _gerund(conj[0])] if conj else [])
                    add(verbs + _words(_phrase(gobj[0], with_of=False)), _span(list(goal.subtree)), "purpose",
                        goal.i)
                continue
            words = _words(ph)
            purpose = next((c for c in tok.children if c.dep_ in ("advcl", "xcomp") and _is_purpose(c)
                            and c.lemma_ not in RESULT_VERBS and c.lemma_ not in LIGHT_VERBS), None)
            if purpose is not None and tok.lemma_ in ("leverage", "use", "employ", "utilize", "utilise", "adopt",
                                                      "apply", "exploit") and len(words) <= 4:
                pobj = next((c for c in purpose.children if c.dep_ == "dobj"), None)
                if pobj is not None:
                    words = words + ["for", _gerund(purpose)] + _words(_phrase(pobj, with_of=False))
            add(words, _span(list(obj.subtree)), "object", obj.i)
        else:
            adv = [c for c in tok.children if c.dep_ == "advmod" and c.lower_.endswith("ly")
                   and c.lower_ not in _NOT_MANNER]
            conj = [c for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB" and not _objects(c)]
            verbs = [_gerund(tok)] + (["and", _gerund(conj[0])] if conj else [])
            if _generic(ph, framework):
                continue
            words = [a.lower_ for a in adv[:1]] + verbs + _words(ph)
            prep = next((c for c in tok.children if c.dep_ == "prep" and c.i > obj.i and c.lower_ in (
                "to", "into", "across", "among", "per", "on", "onto", "between")), None)
            target = next((g for g in prep.children if g.dep_ == "pobj"), None) if prep is not None else None
            if target is not None:
                extra = [prep.lower_] + _words(_phrase(target, with_of=False))
                if len(words) + len(extra) <= _MAX_WORDS:
                    words += extra
            add(words, _clause(tok), "action", tok.i)
    return found


def _item_label(sent, s: int, e: int, framework: set[str]) -> list[str] | None:
    """A long enumeration item named by its head: "alternately optimizing X ..." -> verb + object."""
    toks = [t for t in sent if s <= t.idx < e]
    inside = {t.i for t in toks}
    root = next((t for t in toks if t.head.i not in inside or t.head is t), None)
    if root is None:
        return None
    if root.pos_ != "VERB":  # "NetAdapt generates X": the clause's verb names the item
        verb = next((t for t in toks if t.pos_ == "VERB" and t.dep_ in ("ROOT", "relcl", "conj", "ccomp")
                     and any(c.dep_ == "nsubj" for c in t.children)), None)
        root = verb or root
    if root.pos_ == "VERB":
        obj = _objects(root)[:1]
        adv = [c.lower_ for c in root.children if c.dep_ == "advmod" and c.lower_.endswith("ly")
               and c.lower_ not in _NOT_MANNER][:1]
        if obj:
            return adv + [_gerund(root)] + _words(_phrase(obj[0], with_of=False))
        return None
    return _words(_phrase(root, with_prep=True))


_MARKER = re.compile(r"\(?\b(?:\d|i{1,3}|iv|v|[a-e])\)\s*")


def _enumeration(sent: Span | Doc, colon: Token) -> list[tuple[int, int]]:
    """Char spans of the items after a colon ("A, B, and C"; "i) A; ii) B"; "(1) A (2) B")."""
    start = colon.idx + 1
    end = sent[-1].idx + len(sent[-1].text)
    body = sent.doc.text[start:end]
    parts, pos = [], 0
    markers = list(_MARKER.finditer(body))
    splitter = _MARKER if len(markers) >= 2 else re.compile(
        r",\s+(?:and\s+|or\s+)?|;\s+(?:and\s+)?|\s+and\s+(?=[a-z]+ing\b)")
    for m in splitter.finditer(body):
        if m.start() > 0:
            parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(body)))
    out = []
    for s, e in parts:
        piece = body[s:e]
        stripped = piece.strip().rstrip(".;, ")
        stripped = re.sub(r"\s*(,|;)?\s*(and|or)$", "", stripped)
        if not stripped and splitter is _MARKER:
            continue
        if len(stripped.split()) < 2 or (len(stripped.split()) > 14 and splitter is not _MARKER):
            return []
        lead = len(piece) - len(piece.lstrip())
        out.append((start + s + lead, start + s + lead + len(stripped)))
    return out


_INTRODUCES = re.compile(r"\b(we|this (paper|work|chapter|article))\s+(\w+\s+)?(propose|present|introduce|develop|"
                         r"design|devise|build|study)s?\b", re.I)


def framework_names(title: str, sentences: list[str]) -> set[str]:
    """The paper's own framework names: coined names of the title and of the first sentence that
    introduces the work ("we propose FedX", "we present a framework, termed Peaches")."""
    names = set(coined_names(title.split(":")[0])) if ":" in title else set(coined_names(title))
    names |= {m for m in re.findall(r"\(([A-Z][A-Za-z0-9\-]{2,})\)", title) if m not in _COMMON_ACRONYMS}
    for text in sentences:
        if _INTRODUCES.search(text):
            names |= set(coined_names(text))
            m = re.search(r"\b(?:called|termed|named|dubbed|namely)\s+\*?([A-Z][\w\-]+)", text)
            if m:
                names.add(m.group(1))
            break
    return {n for n in names if len(n) >= 3}
