"""General knowledge the engine may explain: how importance is computed, what the colours and
the five MinPlus methods mean, and a short glossary. True for every comparison."""

from __future__ import annotations

from collections.abc import Iterator

from core.comparison import Comparison
from core.qa.facts import Fact

# (method, its name, what it does); the name is the answer span
_METHODS: tuple[tuple[str, str, str], ...] = (
    ("S0-", "single removal",
     "hides one small blob of the face at a time and records how much the similarity score "
     "drops; big drops mark important parts"),
    ("S1-", "greedy removal",
     "keeps removing, step after step, the blob that lowers the similarity score most, and "
     "records the drop of each step"),
    ("S0+", "single aggregation",
     "starts from an almost black image, paints back one blob of the face at a time and "
     "records how much the similarity score rises"),
    ("S1+", "greedy aggregation",
     "keeps adding, step after step, the blob that raises the similarity score most, and "
     "records the gain of each step"),
    ("AVG", "average",
     "is the mean of the four maps S0-, S1-, S0+ and S1+, normalised once"),
)

# (id, text, answer span, questions it answers, cue stems)
_GLOSSARY: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("glossary.xai",
     "Explainable AI (XAI) means methods that show people why an AI system gave its answer, "
     "for example which parts of a face a face recognizer relied on.",
     "methods that show people why an AI system gave its answer",
     ("What is explainable AI?", "What does XAI stand for?"),
     ('explainab', 'xai', 'interpretab')),
    ("glossary.pic",
     "The PIC-score (probabilistic interpretable comparison score) turns a similarity score "
     "into the probability that two photos show the same person.",
     "the probability that two photos show the same person",
     ("What is the PIC-score?", "What does PIC mean?"),
     ('pic',)),
    ("glossary.heatmap",
     "A saliency heatmap is a coloured map laid over a face that shows how much each part of "
     "it contributed to the similarity score.",
     "how much each part of it contributed to the similarity score",
     ("What is a saliency heatmap?", "What is a saliency map?"),
     ('saliency', 'heatmap', 'heat')),
    ("glossary.table",
     "The explainability table gives each facial region a level from 1 (most important) to 5 "
     "(least important) under each method, with the Mean of those levels and the Ratio of 1s, "
     "the share of methods that rate the region 1.",
     "a level from 1 (most important) to 5 (least important)",
     ("What is the explainability table?", "What do Mean and Ratio of 1s mean?"),
     ('table', 'mean', 'ratio')),
    ("glossary.threshold",
     "A threshold is the similarity score that separates the two decisions: scores at or "
     "above it are judged the same person, scores below it different people.",
     "the similarity score that separates the two decisions",
     ("What is a threshold in face verification?",),
     ('threshold',)),
    ("glossary.genuine",
     "A genuine pair is two photos of the same person; an impostor pair is two photos of "
     "different people.",
     "two photos of the same person",
     ("What is a genuine pair?", "What is an impostor pair?"),
     ('genuine', 'impostor', 'imposter')),
    ("glossary.fmr",
     "The false match rate (FMR) is the share of impostor pairs wrongly judged to be the same "
     "person; the false non-match rate (FNMR) is the share of genuine pairs wrongly rejected.",
     "the share of impostor pairs wrongly judged to be the same person",
     ("What is the false match rate?", "What is FMR?"),
     ('false', 'fmr', 'fnmr', 'error')),
    ("glossary.template",
     "A face template (or embedding) is the list of numbers a face recognizer computes from a "
     "face; photos of the same person give similar templates.",
     "the list of numbers a face recognizer computes from a face",
     ("What is a face template?", "What is an embedding?"),
     ('template', 'embedding', 'vector')),
    ("glossary.verification",
     "Face verification decides whether two face photos show the same person, by comparing "
     "their templates' similarity score with a threshold.",
     "decides whether two face photos show the same person",
     ("What is face verification?",),
     ('verification', 'verify')),
)


def knowledge_facts(c: Comparison) -> Iterator[Fact]:
    yield Fact(
        "saliency.levels", "saliency",
        "Importance was computed by normalising each heatmap and dividing its range into five "
        "equal intervals, level 1 (most important) to level 5 (least important); a region's "
        "level under a method is the level that the majority of its pixels fall in, its Mean "
        "is the average over the five methods and its Ratio of 1s the share of methods that "
        "rate it 1.",
        "five equal intervals",
        keys=("How was the importance of a region computed?",
              "How are the levels 1 to 5 assigned?"),
        cues=('level', 'interval', 'majority', 'pixel', 'comput', 'calculat', 'assign', 'work'),
        because="method.minplus", tags=("process",),
    )
    yield Fact(
        "saliency.colours", "saliency",
        "In the heatmaps (JET colour map) red marks the most important parts (level 1), then "
        "yellow, green and cyan, and blue marks the least important parts (level 5).",
        "red marks the most important parts",
        keys=("What do the colours in the heatmap mean?", "What does red mean?",
              "What does blue mean?"),
        cues=('colour', 'color', 'red', 'blue', 'yellow', 'green', 'cyan', 'warm', 'cold', 'jet'),
        because="saliency.levels",
    )
    yield Fact(
        "method.minplus", "method",
        "The heatmaps come from MinPlus (Mery and Morris, 2022), a black-box explanation method "
        "that needs only the recognizer's similarity scores: it removes (minus) and adds (plus) "
        "small blobs of each face and watches the score; it has five variants, S0-, S1-, S0+, "
        "S1+ and AVG.",
        "MinPlus",
        keys=("Which method made the heatmaps?", "Which method generated the saliency maps?",
              "What is MinPlus?"),
        cues=('minplus', 'method', 'technique', 'algorithm', 'black'),
        because="glossary.heatmap",
    )
    for method, name, does in _METHODS:
        yield Fact(
            f"method.{method}", "method",
            f"{method} ({name}) {does}.",
            name,
            keys=(f"What does {method} do?", f"How does the {name} method work?"),
            cues=tuple(name.split()), method=method, because="method.minplus",
        )
    for fact_id, text, span, keys, cues in _GLOSSARY:
        yield Fact(fact_id, "glossary", text, span, keys=keys, cues=cues)
