"""Typed errors with short, friendly messages a chat user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class FacexplainError(Exception):
    """Base class. ``user_message`` is safe to show to an end user as it is."""

    code = "error"
    user_message = "Something went wrong while processing your request."

    def __init__(self, user_message: str | None = None, *, detail: str = "") -> None:
        if user_message is not None:
            self.user_message = user_message
        self.detail = detail
        self.photo: int | None = None  # 1 or 2 when the error concerns one photo of a pair
        super().__init__(self.user_message + (f" ({detail})" if detail else ""))


@contextmanager
def about_photo(number: int) -> Iterator[None]:
    """A ``FacexplainError`` raised inside concerns photo ``number`` (1 or 2) of a pair."""
    try:
        yield
    except FacexplainError as exc:
        exc.photo = number
        raise


class ImageRejected(FacexplainError):
    """The bytes are not an image we accept (wrong type, too big, broken...)."""

    code = "image_rejected"
    user_message = "I could not read that file as a photo. Please send a JPEG, PNG or WEBP photo."


class EmptyImage(ImageRejected):
    code = "image_empty"
    user_message = "That file is empty. Please send a JPEG, PNG or WEBP photo."


class UnsupportedImageType(ImageRejected):
    code = "image_type"
    user_message = (
        "That file is not a photo I can read. Please send a JPEG, PNG or WEBP photo "
        "(not a PDF, document, GIF or drawing)."
    )


class ImageTooLarge(ImageRejected):
    code = "image_too_large"
    user_message = "That photo is too large. Please send a smaller or more compressed photo."

    @classmethod
    def over(cls, limit_bytes: int) -> ImageTooLarge:
        """The error for a file over ``limit_bytes`` (the configured limit), saying the limit."""
        return cls(f"That photo is too large: I accept photos up to "
                   f"{round(limit_bytes / 2**20, 1):g} MB (the configured limit). Please send a smaller or more "
                   "compressed photo.")


class CorruptImage(ImageRejected):
    code = "image_corrupt"
    user_message = "That photo seems to be damaged or cut off. Please send it again or try another photo."


class ImageTooComplex(ImageRejected):
    """The file's structure (scans, chunks, segments) would make decoding take too long."""

    code = "image_too_complex"
    user_message = (
        "That photo is stored in an unusual way that would take too long to read. Please send "
        "it as an ordinary JPEG or PNG photo."
    )


class DecodeTooSlow(ImageRejected):
    """Decoding ran past its CPU-time budget and was stopped."""

    code = "image_too_slow"
    user_message = (
        "That photo took too long to read, so I stopped. Please send an ordinary JPEG or PNG "
        "photo, or a smaller one."
    )


class NoFaceFound(FacexplainError):
    code = "no_face"
    user_message = (
        "I could not find a face in that photo. Please send a clear photo where the face "
        "is visible, well lit and facing the camera."
    )


class ModelNotFound(FacexplainError):
    code = "model_missing"
    user_message = "A model file is missing. Ask the operator to check the model directory."


class NotCalibrated(FacexplainError):
    code = "not_calibrated"
    user_message = (
        "This face pipeline (recognizer, detector and their settings) has not been "
        "calibrated yet. Ask the operator to run `facexplain calibrate`."
    )
