import pytest

from pipeline.document import Document, Section
from pipeline.propose.nlp import annotate, get_nlp, match_entities, split_sentences


def sents(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Xu et al. propose FedNAS. It works.", ["Xu et al. propose FedNAS.", "It works."]),
        ("As shown in Fig. 3, accuracy rises. Next.", ["As shown in Fig. 3, accuracy rises.", "Next."]),
        ("We use e.g. DARTS, i.e. a one-shot method. Done.", ["We use e.g. DARTS, i.e. a one-shot method.", "Done."]),
        ("Eq. (2) in Sec. 4.1 gives 93.5% accuracy. Then we stop.",
         ["Eq. (2) in Sec. 4.1 gives 93.5% accuracy.", "Then we stop."]),
        ("Prior work [3, 4]. New work follows.", ["Prior work [3, 4].", "New work follows."]),
        ("The loss $L = a. B$ is used. Good.", ["The loss $L = a. B$ is used.", "Good."]),
        ("Written by J. Smith and A. B. Jones. Fine.", ["Written by J. Smith and A. B. Jones.", "Fine."]),
        ("See Zoph et al. (2018) for details. Yes!", ["See Zoph et al. (2018) for details.", "Yes!"]),
        ("Is it good? Yes. \n\nHeading\n\nBody line", ["Is it good?", "Yes.", "Heading", "Body line"]),
        ("Accuracy (see Tab. 2) vs. baseline improves. Ok.", ["Accuracy (see Tab. 2) vs. baseline improves.", "Ok."]),
    ],
)
def test_split_sentences_scientific_prose(text, expected):
    assert sents(text) == expected


def test_spans_are_offsets_into_text():
    text = "  First one.   Second one.\n\nThird."
    for a, b in split_sentences(text):
        assert text[a:b] == text[a:b].strip() and text[a:b]


def test_pipeline_is_a_singleton():
    assert get_nlp() is get_nlp()


def test_annotate_sets_section_and_page():
    text = "Intro\n\nOne sentence. Two sentence.\n\nMethod\n\nThree on page two."
    doc = Document(title="t", text=text, page_starts=[0, text.index("Method")],
                   sections=[Section("Intro", 0, text.index("Method")), Section("Method", text.index("Method"), len(text))])
    annotate(doc)
    got = [(s.text, s.section, s.page) for s in doc.sentences]
    assert ("Two sentence.", "Intro", 1) in got and ("Three on page two.", "Method", 2) in got


def test_match_entities_canonical_and_longest():
    text = "We run PC-DARTS and once-for-all with FedAvg on non-IID CIFAR-10 and ImageNet; FedProx too."
    ents = {(e.label, e.canonical, text[e.start:e.end]) for e in match_entities(text)}
    assert ("NAS_METHOD", "PC-DARTS", "PC-DARTS") in ents
    assert ("NAS_METHOD", "OFA", "once-for-all") in ents
    assert ("FL_TERM", "FedAvg", "FedAvg") in ents and ("FL_TERM", "FedProx", "FedProx") in ents
    assert ("FL_TERM", "non-IID", "non-IID") in ents
    assert ("DATASET", "CIFAR-10", "CIFAR-10") in ents and ("DATASET", "ImageNet", "ImageNet") in ents
    assert not any(c == "DARTS" for _, c, _ in ents)  # PC-DARTS wins over its DARTS part


def test_case_sensitive_short_forms():
    assert match_entities("the darts game") == [] or all(e.canonical != "DARTS" for e in match_entities("the darts game"))
    assert [e.canonical for e in match_entities("Results for differential privacy and secure aggregation.")] == [
        "differential privacy", "secure aggregation"]
