"""ORM rows -> the plain records of the port, and a Comparison -> row fields."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, cast

from bot.store.models import ComparisonRow, Conversation, Review, Turn
from bot.store.port import ConversationRecord, ReviewRecord, StoredComparison, TurnRecord, Verdict

if TYPE_CHECKING:
    from core.comparison import Comparison


def comparison_fields(comparison: Comparison) -> dict[str, Any]:
    """What is kept of a comparison: numbers, tables and models; no landmarks, no pixels."""
    return {
        "decision": comparison.decision,
        "same_person": comparison.same_person,
        "score": float(comparison.score),
        "threshold": float(comparison.threshold),
        "pic": float(comparison.pic),
        "confidence": float(comparison.confidence),
        "tables": comparison.tables,
        "models": asdict(comparison.models),
        "parameters": comparison_parameters(comparison),
    }


def comparison_parameters(comparison: Comparison) -> dict[str, Any]:
    return {
        "saliency": comparison.saliency,
        "timings_ms": comparison.timings_ms,
        "faces_found": {name: face.faces_found for name, face in comparison.faces.items()},
        "schema_version": comparison.schema_version,
    }


def conversation_record(row: Conversation) -> ConversationRecord:
    return ConversationRecord(row.id, row.user_id, row.platform, row.created_at,
                              row.consent_given_at)


def turn_record(row: Turn) -> TurnRecord:
    return TurnRecord(row.id, row.conversation_id, row.question, row.answer, list(row.fact_ids),
                      row.confidence, row.latency_ms, row.mode, row.comparison_id,
                      row.created_at)


def comparison_record(row: ComparisonRow) -> StoredComparison:
    return StoredComparison(row.id, row.conversation_id, row.decision, row.same_person,
                            row.score, row.threshold, row.pic, row.confidence, row.tables,
                            row.models, row.parameters, row.created_at)


def review_record(row: Review) -> ReviewRecord:
    return ReviewRecord(row.id, row.comparison_id, row.reviewer_id, cast(Verdict, row.verdict),
                        row.comment, row.created_at)
