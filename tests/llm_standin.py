"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for the ask tests.

It speaks the real protocol over a real socket: `POST /v1/chat/completions`, a JSON
answer without `stream`, and with `stream: true` server-sent events (`data: {...}` chunks
carrying choices[0].delta.content, then `data: [DONE]`). The completion text is fixed by
the test; requests are recorded so tests can read the prompt that was sent. It answers
401 to a wrong key and 404 to an unknown model, as OpenAI and Ollama do.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StandIn:
    def __init__(
        self,
        completion: str,
        *,
        model: str = "standin-coder",
        key: str | None = None,
        ignore_stream: bool = False,  # answer with one JSON object, as some servers do
    ) -> None:
        self.completion = completion
        self.model = model
        self.key = key
        self.ignore_stream = ignore_stream
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length))
                standin.requests.append(request)
                if standin.key and self.headers.get("Authorization") != f"Bearer {standin.key}":
                    self._json(401, {"error": {"message": "Incorrect API key provided"}})
                    return
                if request.get("model") != standin.model:
                    message = f"model '{request.get('model')}' not found"
                    self._json(404, {"error": {"message": message}})
                    return
                if not request.get("stream") or standin.ignore_stream:
                    message = {"role": "assistant", "content": standin.completion}
                    self._json(200, {"choices": [{"index": 0, "message": message}]})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                text = standin.completion
                for start in range(0, len(text), 17):  # many small deltas, like a real model
                    chunk = {
                        "id": "chatcmpl-standin",
                        "object": "chat.completion.chunk",
                        "model": standin.model,
                        "choices": [{"index": 0, "delta": {"content": text[start : start + 17]}}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        return Handler
