"""Logs carry no personal data: ids, names, file names and image bytes come out redacted,
in JSON (one object a line) and in text."""

from __future__ import annotations

import io
import json
import logging

from bot.ops.logging import handler


def logged(log_format: str, emit: object) -> str:
    stream = io.StringIO()
    logger = logging.getLogger("facexplain.test.redaction")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler(log_format, stream))
    try:
        assert callable(emit)
        emit(logger)
    finally:
        logger.handlers.clear()
    return stream.getvalue()


def test_a_json_record_with_personal_fields_comes_out_redacted() -> None:
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * 96

    def emit(log: logging.Logger) -> None:
        log.info("photo from user_id=123456 in chat_id=-100987 decoded: %r", photo,
                 extra={"user_id": 123456, "chat_id": -100987, "first_name": "Ada",
                        "file_name": "ada_lovelace.jpg", "image": photo, "job": "verify#3"})

    line = logged("json", emit)
    entry = json.loads(line)
    assert entry["message"] == ("photo from user_id=<redacted> in chat_id=<redacted> "
                                "decoded: '<100 bytes>'")
    assert entry["user_id"] == entry["chat_id"] == entry["first_name"] == "<redacted>"
    assert entry["file_name"] == entry["image"] == "<redacted>"
    assert entry["job"] == "verify#3" and entry["level"] == "INFO"
    for secret in ("123456", "100987", "Ada", "ada_lovelace", "\\u00ff", "xff"):
        assert secret not in line


def test_text_logs_are_redacted_too_and_stray_bytes_reduced_to_their_length() -> None:
    def emit(log: logging.Logger) -> None:
        log.warning("upload failed for username=ada.l: %s", b"\x89PNG....",
                    extra={"payload": b"\x89PNG...."})

    text = logged("text", emit)
    assert text == ("WARNING facexplain.test.redaction: upload failed for "
                    "username=<redacted>: <8 bytes>\n")


def test_a_traceback_is_kept_in_json() -> None:
    def emit(log: logging.Logger) -> None:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("job failed")

    entry = json.loads(logged("json", emit))
    assert entry["level"] == "ERROR" and "ValueError: boom" in entry["traceback"]
