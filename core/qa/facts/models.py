"""Facts about the models used, the faces found, and (when present) attribute descriptions."""

from __future__ import annotations

from collections.abc import Iterator

from core.comparison import Comparison
from core.qa.facts import Fact, fmt_number, photo_name


def model_facts(c: Comparison) -> Iterator[Fact]:
    m = c.models
    sha = f" (sha256 {m.recognizer_sha256[:12]})" if m.recognizer_sha256 else ""
    yield Fact(
        "models.recognizer", "models",
        f"The face recognizer, the model that turns each face into a template, is "
        f"{m.recognizer}{sha}.",
        m.recognizer,
        keys=("Which face recognition model was used?", "What recognizer computed the templates?"),
        cues=('recogni', 'model', 'network', 'template', 'embedding'),
    )
    yield Fact(
        "models.detector", "models",
        f"The faces were found by the {m.detector} face detector, which also gives the five "
        "landmarks used to align each face.",
        m.detector,
        keys=("Which face detector was used?", "How were the faces found?"),
        cues=('detect', 'find', 'found', 'locat'),
    )
    if m.calibration_dataset:
        date = f" ({m.calibration_date})" if m.calibration_date else ""
        text = (
            f"The recognizer was calibrated on {m.calibration_dataset}{date}: its threshold and "
            "its PIC-score densities come from labelled genuine and impostor pairs there."
        )
        span = m.calibration_dataset
    else:
        text, span = "No calibration data is recorded for this comparison.", "No calibration data"
    yield Fact("models.calibration", "models", text, span,
               keys=("Which data set was used to calibrate the recognizer?",
                     "Where do the threshold and the PIC densities come from?"),
               cues=('calibrat', 'data', 'lfw', 'train'))


def faces_fact(c: Comparison) -> Fact:
    parts, spans = [], []
    for side in ("A", "B"):
        face = c.faces.get(side)
        if face is None:
            continue
        found = f"{face.faces_found} face{'s were' if face.faces_found != 1 else ' was'} found"
        size = "x".join(str(v) for v in face.image_size)
        used = ", and the largest was used" if face.faces_found > 1 else ""
        spans.append(found)
        parts.append(
            f"in {photo_name(side)} ({size} pixels) {found} (detection score "
            f"{fmt_number(face.detection_score)}){used}"
        )
    text = "; ".join(parts) if parts else "no face details were recorded"
    return Fact(
        "faces", "faces", text[0].upper() + text[1:] + ".", spans[0] if spans else text,
        keys=("How many faces were found in each photo?", "Were faces detected in the photos?"),
        cues=('faces', 'detect', 'many', 'found'),
    )


def description_facts(c: Comparison) -> Iterator[Fact]:
    """Attribute descriptions (CLIP-SMU) given as a caption string, or a dict with "caption";
    a fact that says there are none when no attribute model ran."""
    if not any((c.descriptions or {}).get(side) for side in ("A", "B")):
        yield Fact(
            "description.none", "description",
            "No attribute descriptions were computed for this comparison (no attribute model "
            "was trained for this recognizer), so I cannot say in words what the face "
            "templates encode.",
            "No attribute descriptions were computed",
            keys=("What attributes does the face have?", "What does the template encode?"),
        )
    for side in ("A", "B"):
        value = (c.descriptions or {}).get(side)
        caption = value.get("caption") if isinstance(value, dict) else value
        if isinstance(caption, str) and caption.strip():
            caption = caption.strip().rstrip(".")
            yield Fact(
                f"description.{side}", "description",
                f"The template of {photo_name(side)} encodes: {caption}.", caption,
                keys=("What does the face template encode?", "What attributes does the face have?"),
                side=side,
            )
