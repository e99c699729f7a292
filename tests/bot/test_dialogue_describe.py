"""CLIP-SMU descriptions in a conversation: once an attribute model is trained for the
recognizer, every comparison carries what each template encodes; /describe shows it and the QA
engine answers from it. The describer is the only stand-in (training takes minutes); it wraps
the real ``describe_scores`` so the text is what a trained model would produce."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pytest

from bot.composition import build_describer, build_engines, build_verifier
from bot.dialogue import Dialogue, DialogueConfig
from bot.jobs import JobRunner, ThreadJobRunner
from bot.messages import VerificationReply
from bot.services import Answerer, Engines
from bot.settings import Settings
from bot.store.repository import Store
from core.attributes.describe import describe_scores
from core.attributes.vocabulary import KEYS
from tests.bot.dialogue_helpers import GENUINE, TINY_SALIENCY, Chat, only, photo, texts_of
from tests.conftest import needs_shared

pytestmark = needs_shared


class MaleWithGlasses:
    """Reads every template as a middle-aged man with eyeglasses (reliable AUCs)."""

    def __init__(self) -> None:
        self.templates: list[np.ndarray] = []

    def describe(self, template: np.ndarray) -> dict[str, Any]:
        self.templates.append(template)
        scores = np.full(len(KEYS), 0.1, np.float32)
        for key in ("Male", "Middle_Aged", "Eyeglasses"):
            scores[KEYS.index(key)] = 0.9
        aucs: dict[str, float | None] = {"Male": 0.93, "Middle_Aged": 0.9, "Eyeglasses": 0.88}
        return describe_scores(scores, [0.5] * len(KEYS), aucs, "multilabel").to_dict()


def engines_with(describer: MaleWithGlasses, settings: Settings) -> Engines:
    return replace(build_engines(settings, TINY_SALIENCY), describer=describer)


@pytest.fixture(scope="module")
def describer() -> MaleWithGlasses:
    return MaleWithGlasses()


@pytest.fixture(scope="module")
def describing_runner(calibrated_settings: Settings,
                      describer: MaleWithGlasses) -> Iterator[JobRunner]:
    runner = ThreadJobRunner(partial(engines_with, describer, calibrated_settings), 1)
    yield runner
    asyncio.run(runner.close())


@pytest.fixture
async def talk(describing_runner: JobRunner, store: Store,
               answerer: Answerer) -> AsyncIterator[Dialogue]:
    dialogue = Dialogue(describing_runner, store, answerer, DialogueConfig(consent="on_first_photo"))
    yield dialogue
    await dialogue.close()


async def test_describe_and_questions_use_what_each_template_encodes(
        talk: Dialogue, describer: MaleWithGlasses) -> None:
    bob = Chat(talk, "bob")
    await bob.photos(photo(*GENUINE[0]))
    decided = only(await bob.photos(photo(*GENUINE[1])), VerificationReply)
    assert decided.same_person
    assert len(describer.templates) == 2  # both faces' templates, once each

    described = texts_of(await bob.say("/describe"))
    seen = ("A photo of a middle-aged man's face with eyeglasses. "
            "The template encodes: man, middle aged, eyeglasses (reliable)")
    assert described == [f"Face 1: {seen}\nFace 2: {seen}"]
    answer = texts_of(await bob.ask("What does the face template of photo 1 encode?"), "answer")
    assert len(answer) == 1 and "man, middle aged, eyeglasses" in answer[0], answer


def test_no_describer_until_an_attribute_model_is_trained(calibrated_settings: Settings) -> None:
    assert not (calibrated_settings.data_dir / "attributes").exists()
    assert build_describer(calibrated_settings, build_verifier(calibrated_settings)) is None
