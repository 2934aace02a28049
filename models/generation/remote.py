"""OpenAI-compatible runtime: ``/v1/chat/completions`` of a server the operator runs.

vLLM, Ollama, llama.cpp's server and LM Studio all speak it. Post-its leave the
machine only when an operator sets ``ATELIER_OPENAI_BASE_URL`` to such a server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from models.generation import GeneratorUnavailableError, Messages

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def shown_url(url: str) -> str:
    """``url`` as it may be shown or recorded: no ``user:password@``, no query or fragment (tokens).

    >>> shown_url("https://bob:s3cret@llm.example:8443/v1?api_key=abc#x")
    'https://llm.example:8443/v1'
    >>> shown_url("http://127.0.0.1:8080/v1")
    'http://127.0.0.1:8080/v1'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class OpenAIGenerator:
    """A chat model behind an OpenAI-compatible HTTP server.

    Args:
        base_url: Server root, with or without ``/v1`` (e.g. ``http://127.0.0.1:8080/v1``).
        model: Model name the server knows.
        api_key: Bearer token, if the server wants one (never recorded).
        timeout: Seconds for one request (connect timeout is ``min(timeout, 10)``).
        retries: Further attempts after a network error or a 408/429/5xx answer.
        backoff: First wait between attempts, doubled each time.
        concurrency: Requests in flight at once (servers batch them).
        transport: An ``httpx`` transport, e.g. for tests.
    """

    runtime = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 120.0,
                 retries: int = 3, backoff: float = 0.5, concurrency: int = 4,
                 transport: httpx.BaseTransport | None = None) -> None:
        root = base_url.rstrip("/")
        self.base_url = root if root.endswith("/v1") else root + "/v1"
        self.model_id = model
        self.retries = retries
        self.backoff = backoff
        self.concurrency = concurrency
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=self.base_url, headers=headers, transport=transport,
                                   timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))
        self.shown_url = shown_url(self.base_url)  # what provenance, pages and errors say: no credentials
        self.settings: dict[str, Any] = {"runtime": self.runtime, "base_url": self.shown_url, "temperature": 0.0,
                                         "timeout": timeout, "retries": retries}

    @classmethod
    def from_env(cls, model: str | None = None, environ: Mapping[str, str] | None = None,
                 **options: Any) -> OpenAIGenerator:
        """Configured by ``ATELIER_OPENAI_BASE_URL``, ``ATELIER_OPENAI_MODEL``, ``ATELIER_OPENAI_API_KEY``.

        Raises:
            GeneratorUnavailableError: No base URL or no model is configured.
        """
        env = os.environ if environ is None else environ
        base_url = options.pop("base_url", None) or env.get("ATELIER_OPENAI_BASE_URL", "")
        model = model or env.get("ATELIER_OPENAI_MODEL", "")
        if not base_url or not model:
            raise GeneratorUnavailableError(
                "the openai drafter needs ATELIER_OPENAI_BASE_URL and ATELIER_OPENAI_MODEL "
                "(e.g. http://127.0.0.1:8080/v1 and the model name the server serves)")
        api_key = options.pop("api_key", None) or env.get("ATELIER_OPENAI_API_KEY") or None
        return cls(base_url, model, api_key, **options)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``/chat/completions`` with retries and exponential backoff."""
        wait = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                answer = self.client.post("/chat/completions", json=body)
            except httpx.TransportError as err:
                if last:
                    raise GeneratorUnavailableError(
                        f"cannot reach the OpenAI-compatible server at {self.shown_url} "
                        f"after {self.retries + 1} attempts ({type(err).__name__}: {err}); "
                        "check ATELIER_OPENAI_BASE_URL and that the server is running") from err
            else:
                if answer.status_code < 400:
                    return dict(answer.json())
                if answer.status_code not in RETRY_STATUS or last:
                    raise GeneratorUnavailableError(
                        f"the server at {self.shown_url} answered {answer.status_code}: {answer.text[:300]}")
            time.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")  # the loop returns or raises

    def _complete(self, messages: Messages, max_new_tokens: int) -> str:
        reply = self._post({"model": self.model_id, "messages": messages, "temperature": 0.0,
                            "max_tokens": max_new_tokens})
        return str(reply["choices"][0]["message"].get("content") or "")

    def chat(self, conversations: Sequence[Messages], max_new_tokens: int) -> list[str]:
        """Replies, ``concurrency`` requests in flight at a time, in order."""
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            return list(pool.map(lambda m: self._complete(m, max_new_tokens), conversations))

    def first_tokens(self, conversations: Sequence[Messages], k: int = 6) -> list[dict[str, float]]:
        """Top-``k`` first tokens from the server's ``logprobs`` (empty where it gives none)."""
        out: list[dict[str, float]] = []
        for messages in conversations:
            reply = self._post({"model": self.model_id, "messages": messages, "temperature": 0.0, "max_tokens": 1,
                                "logprobs": True, "top_logprobs": k})
            content = ((reply["choices"][0].get("logprobs") or {}).get("content") or [{}])[0]
            out.append({str(t["token"]): float(t["logprob"]) for t in content.get("top_logprobs", [])})
        return out

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()
