"""A minimal OpenAI-compatible chat-completions client that streams (stdlib only).

Speaks `POST {base_url}/chat/completions` with `stream: true` and reads the server-sent
events (`data: {...}` lines, then `data: [DONE]`), which OpenAI, Ollama's /v1 and the
llama.cpp server all produce. A server that ignores `stream` and answers with one JSON
object is handled too.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from rustrag.llm.config import LlmConfig

Message = dict[str, str]


class LlmError(Exception):
    """The endpoint could not answer; the message says which setting to fix."""


class ChatClient:
    def __init__(self, config: LlmConfig) -> None:
        self.config = config

    @property
    def url(self) -> str:
        return f"{self.config.base_url}/chat/completions"

    def stream(self, messages: list[Message], *, temperature: float = 0.1) -> Iterator[str]:
        """The answer's text, piece by piece as the server sends it."""
        body = {
            "model": self.config.model,
            "messages": messages,
            "stream": True,
            "temperature": temperature,
        }
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            response = urllib.request.urlopen(request, timeout=self.config.timeout)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LlmError(
                f"cannot reach the chat endpoint {self.url} ({reason}); check "
                "RUSTRAG_LLM_BASE_URL (or base_url under [llm] in .rustrag/config.toml)"
            ) from exc
        with response:
            content_type = response.headers.get("Content-Type", "")
            if "text/event-stream" not in content_type:
                yield _whole_answer(response.read())
                return
            yield from _events(response)

    def _http_error(self, exc: urllib.error.HTTPError) -> LlmError:
        detail = _error_detail(exc)
        if exc.code in (401, 403):
            return LlmError(
                f"the chat endpoint refused the key (HTTP {exc.code}: {detail}); check "
                "RUSTRAG_LLM_API_KEY (or OPENAI_API_KEY)"
            )
        if exc.code == 404:
            return LlmError(
                f"HTTP 404 from {self.url}: {detail}; check RUSTRAG_LLM_MODEL "
                f"(`{self.config.model}` may not exist there) and RUSTRAG_LLM_BASE_URL "
                "(it usually ends in /v1)"
            )
        return LlmError(f"HTTP {exc.code} from {self.url}: {detail}")


def _events(response: Any) -> Iterator[str]:
    for raw in response:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue  # comments, `event:` lines and the blank separators
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            chunk = json.loads(payload)
        except json.JSONDecodeError:
            continue
        if isinstance(chunk, dict) and "error" in chunk:
            raise LlmError(f"the chat endpoint reported an error: {chunk['error']}")
        for choice in chunk.get("choices", []) if isinstance(chunk, dict) else []:
            text = (choice.get("delta") or {}).get("content")
            if text:
                yield str(text)


def _whole_answer(data: bytes) -> str:
    try:
        parsed = json.loads(data)
        return str(parsed["choices"][0]["message"]["content"] or "")
    except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
        raise LlmError(
            "the chat endpoint did not answer in the OpenAI chat-completions format; "
            "check RUSTRAG_LLM_BASE_URL (it usually ends in /v1)"
        ) from exc


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read().decode("utf-8", "replace")
    except OSError:
        return exc.reason or ""
    try:
        error = json.loads(body).get("error", body)
        if isinstance(error, dict):
            return str(error.get("message", error))
        return str(error)[:300]
    except (json.JSONDecodeError, AttributeError):
        return body[:300] or str(exc.reason)
