"""What the dialogue needs done, as ports, and the main adapters onto the core.

``Engines`` is what a job worker builds once (the loaded models): a face pipeline, a verifier
and an explainer. ``Answerer`` answers a question about one comparison, in the core's own
terms (``core.qa.Answer`` and ``core.qa.Turn``: one answer type and one turn type cross the
boundary). The composition root builds the real ones; tests may pass their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core.comparison import Comparison
from core.image_input import DEFAULT_LIMITS, ImageLimits
from core.pipeline import PreparedFace
from core.progress import Progress, no_progress
from core.qa.answer import Answer, History, Turn
from core.recognizer import Recognizer
from core.regions import RegionSource
from core.saliency.profiles import SaliencyParams
from core.verify import Verified

if TYPE_CHECKING:
    from core.qa import QAEngine


@dataclass(frozen=True)
class Explanation:
    """The comparison with its ``tables`` and ``saliency`` sections filled, the heatmap collage
    (PNG) and the pair's table as monospace text."""

    comparison: Comparison
    collage_png: bytes = field(repr=False)
    table_text: str


class FacePreparer(Protocol):
    def prepare(self, data: bytes) -> PreparedFace: ...

    def prepare_image(self, image: NDArray[np.uint8]) -> PreparedFace: ...


class Decider(Protocol):
    def decide(self, face_a: PreparedFace, face_b: PreparedFace) -> Comparison: ...


class Explainer(Protocol):
    def explain(self, verified: Verified, progress: Progress = no_progress) -> Explanation: ...


class Describer(Protocol):
    """What one face template encodes, in words (CLIP-SMU), as kept in
    ``Comparison.descriptions[side]``."""

    def describe(self, template: NDArray[np.float32]) -> dict[str, Any]: ...


class Answerer(Protocol):
    """Answers ``question`` about ``comparison`` given its earlier turns, oldest first."""

    def answer(
        self, question: str, comparison: Comparison, history: Sequence[Turn]
    ) -> Answer: ...


@dataclass(frozen=True)
class Engines:
    """A worker's loaded models: built once per worker process by the composition root."""

    faces: FacePreparer
    decider: Decider
    explainer: Explainer | None
    describer: Describer | None = None  # None until `facexplain train attributes` has run
    limits: ImageLimits = DEFAULT_LIMITS  # what a photo may cost (the settings' bounds)


class CoreExplainer:
    """``core.explanation.explain`` (MinPlus maps, region tables, the collage) as an Explainer."""

    def __init__(self, recognizer: Recognizer, params: SaliencyParams, *,
                 regions: RegionSource | None = None, seed: int = 0,
                 rough: Recognizer | None = None) -> None:
        self.recognizer = recognizer  # explained as it is (no mirror averaging)
        self.rough = rough  # its bf16 copy, for profiles with a bf16 first pass
        self.params = params
        self.regions = regions
        self.seed = seed

    def explain(self, verified: Verified, progress: Progress = no_progress) -> Explanation:
        from core.explanation import explain

        def report(stage: str, done: int, total: int) -> None:
            progress(stage, done, total)
            if stage == "saliency" and done >= total:
                progress("render", 0, 1)

        explained = explain(verified, self.recognizer, self.params, regions=self.regions,
                            progress=report, seed=self.seed, rough=self.rough)
        progress("render", 1, 1)
        return Explanation(explained.comparison, explained.collage_png, explained.table_text)


class QAAnswerer:
    """The core QA engine behind the ``Answerer`` port."""

    def __init__(self, engine: QAEngine) -> None:
        self.engine = engine

    def answer(self, question: str, comparison: Comparison, history: Sequence[Turn]) -> Answer:
        return self.engine.ask(comparison, question, History(list(history)))

    def warm_up(self) -> None:
        """Load the sentence encoder and fit the intent classifier now (seconds), so the first
        question is answered at once."""
        self.engine.encoder.encode(["How sure are you?"])
        self.engine.warm_up()

    def prepare(self, comparison: Comparison) -> None:
        """Build and embed ``comparison``'s facts (the dialogue calls this when the decision
        is made, and again when the heatmaps are in)."""
        self.engine.index(comparison).warm()


class CoreDescriber:
    """A trained attribute model (``core.attributes``) as a Describer; reliabilities from
    ``eval attributes`` when present, else the training split's."""

    def __init__(self, folder: Path, method: str = "multilabel") -> None:
        from core.attributes.model import AttributeModel, load_reliability

        self._model = AttributeModel.load(folder)  # AttributesNotTrained when absent
        self._reliability = load_reliability(folder)
        self._method = method

    def describe(self, template: NDArray[np.float32]) -> dict[str, Any]:
        from core.attributes.describe import describe_template

        return describe_template(self._model, template, self._method, self._reliability).to_dict()

