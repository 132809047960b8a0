"""Sentence roles for full text: headings, reference entries, captions, background."""

from pipeline.document import Document, Section
from pipeline.propose.nlp import annotate
from pipeline.propose.structure import is_junk, locate

TEXT = """Fed Thing

Abstract—We reduce the communication cost of federated architecture search.

1 INTRODUCTION

Clients have limited bandwidth. We propose FedThing to reduce communication.

2 PRELIMINARIES AND RELATED WORK

Secure aggregation [3] protects updates. DARTS [4] relaxes the search space.

3 METHOD

We prune channels of the global model on each client.

Figure 2: Workflow of FedThing with encrypted updates.

5 CONCLUSION

We reduced communication.

REFERENCES

- [3] K. Bonawitz, V. Ivanov, and B. Kreuter. Practical secure aggregation. In Proceedings of CCS, 2017.
"""


def roles_of(doc):
    return {loc.sentence.text[:25]: loc.role for loc in locate(doc)}


def test_plain_text_headings_give_roles():
    doc = annotate(Document(title="Fed Thing", text=TEXT))
    r = roles_of(doc)
    assert r["Fed Thing"] == "title"
    assert r["Abstract—We reduce the co"] == "abstract"
    assert r["We propose FedThing to re"] == "intro"
    assert r["Secure aggregation [3] pr"] == "related"
    assert r["We prune channels of the "] == "method"
    assert r["Figure 2: Workflow of Fed"] == "junk"
    assert r["We reduced communication."] == "conclusion"
    assert r["- [3] K. Bonawitz, V. Iva"] == "junk"


def test_markdown_sections_are_used():
    text = "# T\n\n## Related Work\n\nRL controllers [1] sample architectures.\n\n## Approach\n\nWe prune filters."
    doc = Document(title="T", text=text, sections=[Section("Related Work", 5, 62, 2), Section("Approach", 62, len(text), 2)])
    annotate(doc)
    r = roles_of(doc)
    assert r["RL controllers [1] sample"] == "related" and r["We prune filters."] == "method"


def test_abstract_only_record_is_all_abstract():
    doc = annotate(Document(title="T", text="T\n\nWe do X. We do Y for clients."))
    assert {loc.role for loc in locate(doc)} == {"title", "abstract"}


def test_junk_lines():
    assert is_junk("- [12] A. Smith, B. Jones, and C. Doe. A paper. In Proceedings of ICML, 2019.")
    assert is_junk("SMITH, J., DOE, A., AND ROE, B. Title of work. arXiv preprint arXiv:1234.5678 (2018).")
    assert is_junk("**Figure 3: The accuracy of each candidate.**")
    assert not is_junk("We reduce the communication cost of each client by pruning candidates early.")
