"""Question answering over a comparison: facts, the sentence encoder, the reader, and the
engine with its two modes (``grounded``, the default, and the paper's ``paper``).

Nothing heavy is imported here: torch, transformers and sentence-transformers load when an
encoder or reader is first used.
"""

from core.qa.answer import Answer, History, Turn
from core.qa.encoder import SentenceTransformerEncoder, TextEncoder
from core.qa.engine import QAConfig, QAEngine, ReaderMissing
from core.qa.facts import Fact, FactBuilder, build_facts, context_text
from core.qa.index import FactIndex
from core.qa.reader import DEFAULT_READER, HFReader, Reader, Span

__all__ = [
    "DEFAULT_READER", "Answer", "Fact", "FactBuilder", "FactIndex", "HFReader", "History",
    "QAConfig", "QAEngine", "Reader", "ReaderMissing", "SentenceTransformerEncoder", "Span",
    "TextEncoder", "Turn", "build_facts", "context_text",
]
