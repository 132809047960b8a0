"""loo-lexicon: a cue that only one gold paper uses is dropped when that paper is held out."""

import json

from pipeline.propose.evaluate import evaluate
from pipeline.propose.evaluate_lexicon import ablated_lexicon, single_paper_cues

LEX = {"context": {"motivation": ["\\bwe propose\\b"], "background": [], "results": [], "fl_setting": []},
       "challenges": {"privacy": {"cues": [["\\bsecret sharing\\b", 1.0], ["\\bprivacy\\b", 1.0]]},
                      "security": {"cues": [["\\bpoison\\w*\\b", 1.0]]}},
       "nas_types": {}}
PAPERS = [["We propose secret sharing of architecture weights.", "Privacy matters."],
          ["Privacy of client data is kept."],
          ["Clients may poison the search."]]


def test_only_single_paper_cues_outside_the_definitions_are_dropped():
    drops = single_paper_cues(PAPERS, LEX, definitions=["attacks such as poisoning"])
    # 'secret sharing' and 'we propose' occur in paper 0 only; 'privacy' in two papers (kept);
    # 'poison' in paper 2 only but also in the definitions (kept)
    assert drops == {0: {("challenges", "privacy", "\\bsecret sharing\\b"), ("context", "motivation", "\\bwe propose\\b")},
                     1: set(), 2: set()}
    lex = ablated_lexicon(drops[0], LEX)
    assert lex["challenges"]["privacy"]["cues"] == [["\\bprivacy\\b", 1.0]] and lex["context"]["motivation"] == []
    assert LEX["challenges"]["privacy"]["cues"][0][0] == "\\bsecret sharing\\b"  # the original is untouched


def test_a_code_only_one_paper_names_is_missed_under_loo_lexicon(tmp_path, embedder):
    """A cue fitted to one abstract ("homomorphically encrypted" in one paper only) carries the code on
    that paper at the development fit, and not under loo-lexicon."""
    rows = [{"title": "A", "abstract": "We propose a federated architecture search whose updates are homomorphically "
                                       "encrypted.", "challenges": ["privacy"], "nas_types": []},
            {"title": "B", "abstract": "Clients search a federated architecture together over many rounds.",
             "challenges": [], "nas_types": []},
            {"title": "C", "abstract": "A federated search of architectures on the clients of a network.",
             "challenges": [], "nas_types": []}]
    gold = tmp_path / "g.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in rows))
    report = evaluate(gold, proposers=["challenge-rules-v2"], kinds=["challenge"])
    assert report.kinds["challenge"].codes["privacy"].tp == 1
    loo = report.cross_validated["loo-lexicon"]["challenge"].codes["privacy"]
    assert (loo.tp, loo.fn) == (0, 1)
