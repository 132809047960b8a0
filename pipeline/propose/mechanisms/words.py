"""Word classes the sentence shapes read: which verbs, objects and adverbs name a mechanism.

These are grammatical classes of the English of method descriptions (light verbs, verbs that
report results, generic nouns of a framework), not topic words; the cue lexicon of the
challenge and NAS-type proposers is ``corpus/proposer_lexicon.json``, not this.
"""

from __future__ import annotations

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
MODAL_NEED = frozenset({"must", "need", "should", "may", "might", "could", "cannot", "would"})
#: "treat / formulate / model X as Y": the mechanism is "X as Y".
AS_VERBS = frozenset({"treat", "formulate", "model", "cast", "view", "regard", "frame", "reformulate",
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
ANAPHORIC = frozenset({"aforementioned", "above", "following", "previous", "these", "those", "such",
                       "said", "latter", "former", "same", "other", "several", "various", "many"})
COMMON_ACRONYMS = frozenset({"NAS", "FL", "DP", "RL", "DNN", "CNN", "RNN", "GNN", "HPO", "AI", "ML", "IID",
                             "GPU", "CPU", "SGD", "EC", "IoT", "MEC", "HO", "AutoML", "LLM", "ViT"})
MAX_WORDS = 7
#: "X is achieved / realized via ...": the subject names the mechanism.
PASSIVE_MEANS = frozenset({"achieve", "realize", "realise", "perform", "conduct", "accomplish", "attain"})
#: Discourse and degree adverbs: never part of a mechanism label (manner adverbs are).
NOT_MANNER = frozenset({
    "specifically", "finally", "firstly", "secondly", "thirdly", "additionally", "novelly", "effectively",
    "efficiently", "significantly", "greatly", "fully", "highly", "simply", "largely", "mainly", "mostly",
    "usually", "typically", "particularly", "especially", "generally", "naturally", "actually", "really",
    "newly", "recently", "only", "also", "further", "then", "substantially", "successfully", "easily",
    "carefully", "properly", "directly", "subsequently", "consequently", "accordingly", "respectively",
    "similarly", "likewise", "notably", "importantly", "ultimately", "initially", "eventually"})

