"""What a deployment keeps in Redis, read back as a test sees it: every key of one queue's
namespace with its values, the jobs waiting or running there, the outcome records."""

from __future__ import annotations

import base64
import io
import json
import pickle
import struct
from typing import Any

from PIL import Image


def namespace(client: Any, queue: str) -> dict[str, list[bytes]]:
    """Every key of ``queue``'s namespace (SCAN) and every value it holds, whatever its type."""
    found: dict[str, list[bytes]] = {}
    for raw in client.scan_iter(match=f"*{queue}*", count=500):
        name = raw.decode()
        kind = client.type(raw).decode()
        if kind == "string":
            values = [client.get(raw)]
        elif kind == "list":
            values = client.lrange(raw, 0, -1)
        elif kind == "hash":
            values = [b for pair in client.hgetall(raw).items() for b in pair]
        elif kind == "set":
            values = list(client.smembers(raw))
        elif kind == "zset":
            values = client.zrange(raw, 0, -1)
        else:
            values = []
        found[name] = [v for v in values if v is not None]
    return found


def job_messages(client: Any, queue: str) -> list[dict[str, Any]]:
    """The Celery messages in the namespace: waiting in a queue (a list) or taken by a worker
    and not yet acknowledged (the ``unacked`` hash)."""
    messages = []
    for name, values in namespace(client, queue).items():
        if name.endswith("unacked") or client.type(name).decode() == "list":
            for value in values:
                with_body = _message(value)
                if with_body is not None:
                    messages.append(with_body)
    return messages


def _message(value: bytes) -> dict[str, Any] | None:
    try:
        envelope = json.loads(value)
    except ValueError:
        return None
    if isinstance(envelope, list):  # the unacked hash keeps [message, exchange, routing key]
        envelope = envelope[0]
    if not isinstance(envelope, dict) or "body" not in envelope:
        return None
    body = base64.b64decode(envelope["body"])
    args, _kwargs, _embed = pickle.loads(body)  # our own jobs, in the test's Redis
    return {"raw": value, "body": body, "args": args, "headers": envelope.get("headers", {})}


def outcome_kinds(values: dict[str, list[bytes]]) -> dict[str, str]:
    """Each job outcome record of the namespace: "ok" (a result) or "error" (what a delivered
    job leaves: a small record with no result)."""
    return {name: pickle.loads(blobs[0])[0] for name, blobs in values.items()
            if name.endswith(":outcome")}


def task_results(values: dict[str, list[bytes]]) -> dict[str, Any]:
    """The result each Celery task state holds (a job's kind: "ok" or "error")."""
    return {name: pickle.loads(blobs[0])["result"] for name, blobs in values.items()
            if "celery-task-meta-" in name}


def kind_of(key: str) -> str:
    """What a key of the namespace is, by its name."""
    for part, kind in ((":awaited:", "note"), ("celery-task-meta-", "task state"),
                       ("_kombu.binding", "binding"), (":unacked", "taken jobs")):
        if part in key:
            return kind
    if key.endswith((":outcome", ":attempts")):
        return key.rsplit(":", 1)[1]
    return "other"


def jpeg_with_exif(path: Any, camera: str, latitude: tuple[float, float, float]) -> bytes:
    """An LFW photo as a phone sends it: a camera serial and a GPS position in its EXIF."""
    image = Image.open(path).convert("RGB")
    exif = Image.Exif()
    exif[0x0110] = camera  # Model
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: latitude, 3: "E", 4: (13.0, 24.0, 1.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=92)
    return out.getvalue()


def png_chunks(data: bytes) -> list[str]:
    """The chunk types of a PNG, in order (IDAT once however many there are)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found: list[str] = []
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if not found or found[-1] != kind.decode():
            found.append(kind.decode())
        pos += 12 + length
    return found
