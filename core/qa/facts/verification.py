"""Facts about the verification itself: decision, score, threshold, confidence, models, faces."""

from __future__ import annotations

from collections.abc import Iterator

from core.comparison import Comparison
from core.numbers import probability
from core.pic import percent
from core.qa.facts import Fact, fmt_number
from core.qa.facts.models import faces_fact, model_facts


def verification_facts(c: Comparison) -> Iterator[Fact]:
    verdict = "the same person" if c.same_person else "different people"
    s, t = fmt_number(c.score, 3), fmt_number(c.threshold, 3)
    side = "at or above" if c.same_person else "below"
    dataset = c.models.calibration_dataset or "the calibration set"
    yield Fact(
        "decision", "decision",
        f"The decision is that the two photos show {verdict} "
        f"({'a match' if c.same_person else 'not a match'}).",
        verdict,
        keys=("What was decided?", "Is it the same person in both photos?", "Is it a match?",
              "What is the result of the comparison?", "What did the face verification conclude?"),
        cues=("same", "match", "verdict", "outcome", "result", "conclu", "belong", "identical",
              "individual", "different"),
        because="decision.reason",
    )
    yield Fact(
        "decision.reason", "decision",
        f"I reached this decision by comparing the two face templates: their similarity score "
        f"is {s}, which is {side} the threshold of {t}, so they are judged to show {verdict}.",
        f"{side} the threshold",
        keys=("How was the decision reached?", "Why did you decide this?", "What is the decision based on?",
              "How did you get this result?", "How do you decide?"),
        cues=('reason', 'why', 'basis', 'based', 'ground', 'process', 'justif', 'decid', 'arriv'),
        because="threshold", tags=("process",),
    )
    yield Fact(
        "score", "score",
        f"The similarity score of the two faces is {s}: the cosine similarity of their "
        "templates, from -1 to 1, where higher means the recognizer finds them more alike.",
        s,
        keys=("What is the similarity score?", "How similar are the two faces?"),
        cues=('score', 'similar'),
        because="glossary.template",
    )
    rule = _rule(c.models.threshold_rule, dataset)
    yield Fact(
        "threshold", "threshold",
        f"The decision threshold is {t}: a similarity score at or above it means the same "
        f"person, a score below it means different people{rule}.",
        t,
        keys=("What is the threshold?", "Which threshold was used for the decision?",
              "Where is the cut-off between a match and no match?"),
        cues=('threshold', 'cut', 'boundary', 'limit'),
        because="glossary.threshold",
    )
    pct = percent(c.confidence)  # "over 99%", never a claim of certainty
    yield Fact(
        "confidence", "confidence",
        f"I am {pct} confident in this decision (that the photos show {verdict}).",
        pct,
        keys=("How sure are you?", "How confident are you in the decision?", "How certain is the result?",
              "How much can I trust the decision?", "What is the confidence level?"),
        cues=('sure', 'certain', 'confiden', 'trust', 'reliab', 'likel', 'probab', 'odds', 'chance', 'doubt', 'believe'),
        because="confidence.method",
    )
    pic = probability(c.pic)
    yield Fact(
        "pic", "confidence",
        f"The PIC-score of this comparison is {pic}: the estimated probability that the two "
        "photos show the same person given their similarity score.",
        pic,
        keys=("What is the PIC-score of this comparison?",
              "What is the probability that it is the same person?"),
        cues=('pic', 'probab'),
        because="confidence.method",
    )
    yield Fact(
        "confidence.method", "confidence",
        "The confidence comes from the PIC-score, PIC(s) = p_gen(s) / (p_gen(s) + p_imp(s)), "
        "where p_gen and p_imp are kernel density estimates of the genuine and impostor "
        f"similarity scores on {dataset}; the confidence is the PIC-score for a match and "
        "1 - PIC for a non-match.",
        "kernel density estimates",
        keys=("How is the confidence calculated?", "How is the PIC-score turned into a confidence?"),
        cues=("confiden", "pic", "probab"),
        because="glossary.pic", tags=("process",),
    )
    yield from model_facts(c)
    yield faces_fact(c)
    if c.timings_ms:
        total = fmt_number(sum(c.timings_ms.values()), 0)
        yield Fact(
            "timings", "timings",
            f"Computing this comparison took {total} ms in all.",
            f"{total} ms",
            keys=("How long did the comparison take?",),
            cues=('long', 'time', 'fast', 'slow', 'second', 'took'),
        )


def _rule(rule: str | None, dataset: str) -> str:
    """"; it was set at the EER point on LFW View 1", naming the data set once even when the
    recorded rule already names it."""
    if not rule:
        return ""
    named = dataset.split(" (")[0]
    return f"; it was set at the {rule}" + ("" if named in rule else f" on {dataset}")
