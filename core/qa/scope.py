"""Replies to questions outside what a comparison can tell: who someone is, what they feel,
their age or gender (unless attribute descriptions were computed), advice, and small talk.
They say what the assistant cannot tell and why; they never name or guess anything. Their kind
is "unknown" (nothing from the facts), their ``intent`` names which of these it was."""

from __future__ import annotations

from core.qa.answer import Answer
from core.qa.evidence import evidence_line
from core.qa.index import FactIndex

SCOPE = {
    "oos_identity": (
        "I cannot tell who anyone is: I never identify people. I only compare the two photos "
        "with each other and explain that comparison."
    ),
    "oos_emotion": (
        "I cannot tell what a person feels or intends: the face recognizer compares identity "
        "templates and has no model of emotions or expressions."
    ),
    "oos_age_gender": (
        "I cannot say a person's age, gender or origin: no attribute model was run for this "
        "comparison, and I do not guess such things from a face."
    ),
    "oos_advice": (
        "I cannot give legal or operational advice. This comparison is one piece of evidence "
        "with a known error rate; a trained person has to decide what to do with it."
    ),
    "chitchat": (
        "I am the face-comparison assistant: I can only answer questions about this comparison."
    ),
}
SCOPE_SUGGESTIONS = ("What is the decision?", "How sure are you?", "Which face region mattered most?")


def out_of_scope(index: FactIndex, question: str, text: str, mode: str, intent: str,
                 probability: float) -> Answer:
    """The scope reply for ``intent``; age or gender questions get the attribute descriptions
    instead when the comparison has them (and says how reliable each one is)."""
    described = [f for f in index.facts if f.topic == "description" and f.id != "description.none"]
    if intent == "oos_age_gender" and described:
        ids = tuple(f.id for f in described)
        return Answer(question, text, " ".join(f.text for f in described), round(probability, 4),
                      ids, mode, evidence=tuple(f.text for f in described), intent=intent,
                      intent_probability=round(probability, 4), sources=evidence_line(ids))
    return Answer(question, text, SCOPE[intent], round(probability, 4), (), mode, "unknown",
                  SCOPE_SUGGESTIONS, intent=intent, intent_probability=round(probability, 4),
                  sources="from: what this assistant can and cannot tell")
