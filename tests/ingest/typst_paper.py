"""A two-column ground-truth paper typeset with typst: we know every field."""

from __future__ import annotations

from pathlib import Path

TITLE = "Federated Neural Architecture Search on Mobile Clients"
AUTHORS = ["Mengwei Xu", "Yuxin Zhao", "Kaigui Bian"]
ABSTRACT = (
    "To preserve user privacy while enabling mobile intelligence, techniques have been proposed to train "
    "deep neural networks on decentralized data. We propose FedNAS, a highly optimized framework for "
    "efficient federated NAS with early dropping of candidates and dynamic round numbers."
)
HEADINGS = ["1 Introduction", "2 Method", "2.1 Early Dropping", "3 Results"]
FILLER = (
    "Decentralized training makes the design of neural architecture quite difficult as it already was. "
    "Such difficulty is further amplified when designing and deploying different neural architectures for "
    "heterogeneous mobile platforms. Tested on large-scale datasets and typical CNN architectures, the method "
    "achieves comparable model accuracy as centralized NAS algorithms, e.g. DARTS on CIFAR-10. "
)
# Marker sentences in source order; extraction must keep this order across columns and pages.
MARKERS = [f"Marker sentence number {w} is here." for w in
           ["one", "two", "three", "four", "five", "six", "seven", "eight"]]
BIB = r"""
@article{mcmahan2017, title={Communication-Efficient Learning of Deep Networks from Decentralized Data},
  author={McMahan, Brendan and Moore, Eider and Ramage, Daniel}, journal={Proceedings of Machine Learning Research},
  year={2017}, doi={10.48550/arXiv.1602.05629}}
@article{liu2019, title={DARTS: Differentiable Architecture Search}, author={Liu, Hanxiao and Simonyan, Karen and Yang, Yiming},
  journal={arXiv preprint arXiv:1806.09055}, year={2019}}
@article{zoph2017, title={Neural Architecture Search with Reinforcement Learning}, author={Zoph, Barret and Le, Quoc V.},
  journal={International Conference on Learning Representations}, year={2017}}
@article{li2020, title={Federated Optimization in Heterogeneous Networks}, author={Li, Tian and Sahu, Anit Kumar},
  journal={Proceedings of Machine Learning and Systems}, year={2020}, volume={2}, pages={429--450}}
@article{he2020, title={FedNAS: Federated Deep Learning via Neural Architecture Search}, author={He, Chaoyang and Annavaram, Murali},
  journal={IEEE Transactions on Mobile Computing}, year={2021}, doi={10.1109/TMC.2021.1234567}}
"""
REF_TITLES = [
    "Communication-Efficient Learning of Deep Networks from Decentralized Data",
    "DARTS: Differentiable Architecture Search",
    "Neural Architecture Search with Reinforcement Learning",
    "Federated Optimization in Heterogeneous Networks",
    "FedNAS: Federated Deep Learning via Neural Architecture Search",
]


def source() -> str:
    authors = ", ".join(f"[{a} \\ Peking University]" for a in AUTHORS)
    paras = []
    for i, heading in enumerate(HEADINGS):
        level = "==" if "." in heading.split()[0] else "="
        paras.append(f"{level} {heading.split(' ', 1)[1]}")
        for j in range(2):
            k = 2 * i + j
            cite = [" @mcmahan2017 @liu2019.", " @zoph2017.", " @li2020.", " @he2020."][i] if j == 0 else ""
            paras.append(f"{MARKERS[k]} {FILLER * 2}Paragraph {k + 1} ends here{cite or '.'}")
        if i == 1:
            paras.append("#figure(rect(width: 80%, height: 30pt), caption: [Overview of the client groups.])")
            paras.append("The search keeps three candidates per round.#footnote[A footnote that must not reach the body.]")
    body = "\n\n".join(paras)
    return f"""
#set page(paper: "a4", margin: (x: 1.8cm, y: 2.2cm), columns: 2,
  header: context [#set text(8pt); _FedNAS on Mobile Clients_ #h(1fr) Preprint],
  numbering: "1")
#set text(size: 10pt)
#set par(justify: true)
#set heading(numbering: "1.1")
#place(top + center, scope: "parent", float: true)[
  #align(center)[#text(18pt, weight: "bold")[{TITLE}]]
  #v(4pt)
  #grid(columns: (1fr, 1fr, 1fr), align: center, {authors})
  #v(6pt)
  #align(left)[#text(weight: "bold")[Abstract.] {ABSTRACT}]
  #v(8pt)
]
{body}

#bibliography("refs.bib", title: "References", style: "ieee")
"""


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(BIB)
    (folder / "paper.typ").write_text(source())
    import typst

    out = folder / "paper.pdf"
    typst.compile(str(folder / "paper.typ"), output=str(out), root=str(folder))
    return out
