"""Run one decode in a forked child under a CPU-time limit, pixels coming back through shared
memory.

The child gets ``RLIMIT_CPU`` (the kernel stops it with SIGXCPU, then SIGKILL, once it has
used its seconds), and the parent keeps a wall-clock watchdog for a child that stalls without
using CPU. Whatever happens in the child (a budget overrun, a crash inside a C decoder) ends
as an ``ImageRejected`` in the parent; the calling worker stays up. The child writes the
decoded array straight into an anonymous shared mapping, so no copy of the pixels crosses a
pipe; pages are committed only as they are written.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import mmap
import os
import resource
import select
import signal
import time
import warnings
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from core import errors
from core.errors import CorruptImage, DecodeTooSlow, ImageRejected

Allocate = Callable[[tuple[int, int, int]], NDArray[np.uint8]]
_REPORT_BYTES = 4096
_REJECTIONS = {cls.__name__: cls for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, ImageRejected)}


def can_isolate() -> bool:
    return hasattr(os, "fork") and hasattr(resource, "RLIMIT_CPU")


def run_bounded(work: Callable[[Allocate], NDArray[np.uint8]], capacity: int, *,
                cpu_s: int, wall_s: float) -> NDArray[np.uint8]:
    """``work(allocate)`` in a child that may use ``cpu_s`` seconds of CPU; its result array
    (at most ``capacity`` bytes, made by ``allocate``) comes back as a writable array."""
    shared = mmap.mmap(-1, _REPORT_BYTES + max(capacity, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
        pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(work, shared, capacity, cpu_s)
    status = _wait(pid, wall_s)
    if status is None or (os.WIFSIGNALED(status)
                          and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)):
        raise DecodeTooSlow(
            f"That photo took too long to read (more than {cpu_s} seconds of work), so I "
            "stopped. Please send an ordinary JPEG or PNG photo, or a smaller one.",
            detail=f"decode stopped after {cpu_s} s CPU / {wall_s:g} s wall")
    if os.WIFSIGNALED(status):
        raise CorruptImage(detail=f"the decoder died with signal {os.WTERMSIG(status)}")
    report = _read_report(shared)
    if "error" in report:
        cls = _REJECTIONS.get(str(report["error"]), CorruptImage)
        raise cls(str(report["message"]), detail=str(report["detail"]))
    height, width, channels = (int(n) for n in report["shape"])  # type: ignore[attr-defined]
    shape = (height, width, channels)
    return np.ndarray(shape, dtype=np.uint8, buffer=shared, offset=_REPORT_BYTES)


def _child(work: Callable[[Allocate], NDArray[np.uint8]], shared: mmap.mmap, capacity: int,
           cpu_s: int) -> None:
    code = 0
    try:
        with contextlib.suppress(ValueError, OSError):  # leave the parent's event loop alone
            signal.set_wakeup_fd(-1)
        faulthandler.disable()  # a crash here is reported by the parent, in one line
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))

        def allocate(shape: tuple[int, int, int]) -> NDArray[np.uint8]:
            if int(np.prod(shape)) > capacity:
                raise CorruptImage(detail=f"{shape} is larger than the header said")
            return np.ndarray(shape, dtype=np.uint8, buffer=shared, offset=_REPORT_BYTES)

        result = work(allocate)
        report: dict[str, object] = {"shape": list(result.shape)}
    except ImageRejected as exc:
        report = {"error": type(exc).__name__, "message": exc.user_message,
                  "detail": exc.detail[:1000]}
    except BaseException as exc:  # noqa: BLE001 - anything else is a file we cannot read
        report = {"error": "CorruptImage", "message": CorruptImage.user_message,
                  "detail": f"{type(exc).__name__}: {exc}"[:1000]}
    try:
        encoded = json.dumps(report).encode()[: _REPORT_BYTES - 4]
        shared[:4] = len(encoded).to_bytes(4, "little")
        shared[4 : 4 + len(encoded)] = encoded
    except BaseException:  # noqa: BLE001
        code = 1
    os._exit(code)


def _read_report(shared: mmap.mmap) -> dict[str, object]:
    length = int.from_bytes(shared[:4], "little")
    try:
        report = json.loads(shared[4 : 4 + length]) if length else None
    except ValueError:
        report = None
    if not isinstance(report, dict):
        return {"error": "CorruptImage", "message": CorruptImage.user_message,
                "detail": "the decoder left no result"}
    return report


def _wait(pid: int, wall_s: float) -> int | None:
    """The child's exit status, or ``None`` after killing it at the wall-clock deadline."""
    deadline = time.monotonic() + wall_s
    fd = _pidfd(pid)
    try:
        while True:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # SIGCHLD ignored by the host: reaped already
                return 0
            if done:
                return status
            left = deadline - time.monotonic()
            if left <= 0:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
                return None
            if fd is not None:
                select.select([fd], [], [], left)
            else:
                time.sleep(min(left, 0.01))
    finally:
        if fd is not None:
            os.close(fd)


def _pidfd(pid: int) -> int | None:
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return int(opener(pid))
    except OSError:
        return None
