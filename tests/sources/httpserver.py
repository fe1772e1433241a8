"""A real HTTP server on 127.0.0.1 (a free port, its own thread) that serves scripted replies."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    repeat: int = 1  # the body is sent this many times, without a Content-Length (streamed to close)


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    target: str  # path and query as sent


Route = list[Reply] | Callable[[Request], Reply]


class Server:
    """routes: path -> replies in turn (the last one repeats), or a function of the request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                request = Request(
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    {name.lower(): value for name, value in self.headers.items()},
                    self.path,
                )
                reply = server._reply(request)
                # The client may hang up first (a timeout, a size cap): that is the point of such a test.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.repeat == 1:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for _ in range(reply.repeat):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path)
            if route is None:
                return Reply(404, "not found")
            if callable(route):
                return route(request)
            return route.pop(0) if len(route) > 1 else route[0]

    def route(self, path: str, *replies: Reply | Callable[[Request], Reply]) -> str:
        """Serve path with these replies in turn (or one function); its URL."""
        self.routes[path] = replies[0] if len(replies) == 1 and callable(replies[0]) else list(replies)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
