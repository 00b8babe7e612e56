"""Real receivers for the integration tests: an HTTP server for webhooks and an
SMTP server for the customer's emails, both on 127.0.0.1 in this process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


# What the receiver does with the n-th request to a path (n from 1): a status, or
# "hang" (sleep past the sender's timeout), "redirect", "huge" (a 5 MB 200).
Behaviour = Callable[[int], Any]


def always(status: int) -> Behaviour:
    return lambda _n: status


def fail_first(count: int, status: int = 500) -> Behaviour:
    return lambda n: status if n <= count else 200


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hang_seconds: float = 3.0

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str, behaviour: Behaviour | None = None) -> str:
        if behaviour is not None:
            self.behaviours[path] = behaviour
        return self.base_url + path

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [request for request in self.received if request.path == path]

    def succeeded(self, path: str) -> list[Received]:
        return [request for request in self.to(path) if 200 <= request.answered < 300]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with receiver.lock:
                count = 1 + sum(1 for r in receiver.received if r.path == self.path)
            behaviour = receiver.behaviours.get(self.path, always(200))(count)
            answered = (
                200
                if behaviour in ("huge", "hang")
                else 302
                if behaviour == "redirect"
                else behaviour
            )
            with receiver.lock:
                receiver.received.append(
                    Received(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body, answered
                    )
                )
            if behaviour == "hang":
                time.sleep(receiver.hang_seconds)
            try:
                if behaviour == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif behaviour == "huge":
                    size = 5 * 1024 * 1024
                    self.send_response(200)
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    chunk = b"x" * 65536
                    for _ in range(size // len(chunk)):
                        self.wfile.write(chunk)
                else:
                    payload = b'{"ok": true}'
                    self.send_response(int(answered))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@contextmanager
def http_receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(None))  # type: ignore[arg-type]
    receiver = Receiver(server)
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
