"""What the store and audit tests share: a sample comparison, a short conversation, and what
an intruder with database rights would do."""

from __future__ import annotations

from sqlalchemy import Engine, text

from bot.store.repository import Store
from core.comparison import Comparison, FaceReport, ModelInfo


def sample_comparison(score: float = 0.62) -> Comparison:
    face = FaceReport(faces_found=1, box=[10.0, 12.0, 90.0, 110.0], detection_score=0.98,
                      landmarks=[[30.0, 40.0]] * 5, image_size=[250, 250])
    return Comparison(
        score=score, threshold=0.35, same_person=score >= 0.35, pic=0.97, confidence=0.97,
        confidence_sentence="very likely the same person", faces={"A": face, "B": face},
        models=ModelInfo("mobilefacenet_128d.onnx", "ab" * 32, "scrfd"),
        timings_ms={"embed": 12.5})


def six_events(store: Store) -> int:
    """A short conversation: started, consent, four answers (events #1..#6)."""
    user = store.ensure_user("telegram", "grace")
    chat = store.start_conversation(user, "chat")
    store.record_consent(chat)
    for n in range(4):
        store.add_turn(chat, f"q{n}", f"a{n}", mode="template")
    return chat


def drop_guards(engine: Engine) -> None:
    """What an intruder with database rights would do first."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def tamper(engine: Engine, sql: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql))
