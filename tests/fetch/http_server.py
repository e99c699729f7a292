"""A small HTTP server for the download tests, on 127.0.0.1 in a thread: serves bytes per
path, honours Range requests (206), and can cut a response short or answer 404."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Files:
    content: dict[str, bytes] = field(default_factory=dict)
    cut_at: dict[str, int] = field(default_factory=dict)  # send only this many bytes, then close
    ranges: list[str] = field(default_factory=list)  # the Range headers received


class _Handler(BaseHTTPRequestHandler):
    files: Files

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return None

    def do_GET(self) -> None:
        body = self.files.content.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        start = 0
        header = self.headers.get("Range")
        if header:
            self.files.ranges.append(header)
            start = int(header.removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                self.send_error(416, "Range Not Satisfiable")
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        stop = self.files.cut_at.get(self.path, len(body))
        self.wfile.write(body[start:stop])
        self.close_connection = True


@contextmanager
def serving(files: Files) -> Iterator[str]:
    """Serve ``files`` at the yielded base URL until the block ends."""
    handler = type("Handler", (_Handler,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
