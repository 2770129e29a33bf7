"""A client of an OpenAI-compatible chat-completions endpoint, on the standard library (no SDK).

Configured by the environment: AIDB_LLM_BASE_URL (e.g. http://localhost:8000/v1), AIDB_LLM_MODEL, AIDB_LLM_API_KEY
(optional) and AIDB_LLM_TIMEOUT_S (default 60). Every failure (no answer in time, an HTTP error, a body that is not
a chat completion) is an aidb.OperationalError naming the endpoint.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from aidb.errors import OperationalError


@dataclass(frozen=True)
class LLMEndpoint:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0

    @classmethod
    def from_env(cls) -> LLMEndpoint | None:
        """The endpoint the environment configures, or None when AIDB_LLM_BASE_URL or AIDB_LLM_MODEL is unset."""
        base_url, model = os.environ.get("AIDB_LLM_BASE_URL"), os.environ.get("AIDB_LLM_MODEL")
        if not base_url or not model:
            return None
        timeout = os.environ.get("AIDB_LLM_TIMEOUT_S", "60")
        try:
            timeout_s = float(timeout)
        except ValueError as error:
            raise OperationalError(f"AIDB_LLM_TIMEOUT_S must be a number of seconds, got {timeout!r}") from error
        return cls(base_url.rstrip("/"), model, os.environ.get("AIDB_LLM_API_KEY") or None, timeout_s)

    def chat(self, messages: list[dict[str, str]]) -> str:
        """The assistant's reply to `messages` (temperature 0)."""
        url = f"{self.base_url}/chat/completions"
        body = json.dumps({"model": self.model, "messages": messages, "temperature": 0}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:300].decode("utf-8", "replace")
            raise OperationalError(f"the LLM endpoint {url} answered HTTP {error.code}: {detail}") from error
        except (TimeoutError, socket.timeout) as error:
            raise OperationalError(f"the LLM endpoint {url} did not answer within {self.timeout_s:g} s (AIDB_LLM_TIMEOUT_S)") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise OperationalError(f"the LLM endpoint {url} did not answer within {self.timeout_s:g} s (AIDB_LLM_TIMEOUT_S)") from error
            raise OperationalError(f"the LLM endpoint {url} cannot be reached: {reason}") from error
        try:
            content = json.loads(raw)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise OperationalError(f"the LLM endpoint {url} returned something that is not a chat completion: {raw[:200]!r}") from error
        if not isinstance(content, str):
            raise OperationalError(f"the LLM endpoint {url} returned a chat completion without text content")
        return content
