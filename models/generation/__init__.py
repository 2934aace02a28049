"""Text generation behind one seam: the :class:`Generator` protocol and its runtimes.

Drafting and verification only ever talk to a ``Generator``; which runtime runs
the model is a choice made once, by name, in :func:`build_generator`:

* ``openvino``: OpenVINO GenAI reads a ``.gguf`` file (packaged or local) or an
  OpenVINO IR folder directly, the fastest on CPU (see ``MODELS.md``);
* ``transformers``: dequantises a GGUF or loads any hub id / folder, for GPUs and
  models OpenVINO cannot read;
* ``openai``: any OpenAI-compatible ``/v1/chat/completions`` server (vLLM,
  Ollama, llama.cpp's server, LM Studio) that the operator points Atelier at.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

Messages = list[dict[str, str]]


class Runtime(StrEnum):
    """Where a chat model runs: in process (OpenVINO GenAI, transformers) or on an operator's server."""

    OPENVINO = "openvino"
    TRANSFORMERS = "transformers"
    OPENAI = "openai"


RUNTIMES = tuple(Runtime)


class GeneratorUnavailableError(RuntimeError):
    """The model cannot be loaded or the server cannot be reached; the message says what to do."""


class Generator(Protocol):
    """A chat model that answers batches of conversations, greedily.

    Attributes:
        runtime: ``openvino``, ``transformers`` or ``openai`` (recorded in provenance).
        model_id: What the model was named by (packaged name, path, hub id, server model).
        settings: Generation settings recorded in provenance.
    """

    runtime: str
    model_id: str
    settings: dict[str, Any]

    def chat(self, conversations: Sequence[Messages], max_new_tokens: int) -> list[str]:
        """The assistant's reply to each conversation, in order."""
        ...

    def first_tokens(self, conversations: Sequence[Messages], k: int = 6) -> list[dict[str, float]]:
        """The ``k`` likeliest first tokens of each reply with their log-probabilities."""
        ...


def build_generator(runtime: str, name: str | None = None, **options: Any) -> Generator:
    """A generator by runtime name.

    Args:
        runtime: One of :data:`RUNTIMES`.
        name: Model name (packaged name, local path, hub id; for ``openai`` the
            server's model, default ``$ATELIER_OPENAI_MODEL``).
        **options: Passed to the backend's constructor.

    Raises:
        ValueError: Unknown runtime.
    """
    if runtime == Runtime.OPENVINO:
        from models.generation.ov import OpenVINOGenerator

        return OpenVINOGenerator(name or default_generator("openvino"), **options)
    if runtime == Runtime.TRANSFORMERS:
        from models.generation.hf import TransformersGenerator

        return TransformersGenerator(name or default_generator("transformers"), **options)
    if runtime == Runtime.OPENAI:
        from models.generation.remote import OpenAIGenerator

        return OpenAIGenerator.from_env(model=name, **options)
    raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")


def default_generator(runtime: str) -> str:
    """The packaged model a local runtime uses when none is named (see ``models.store``)."""
    from models.store import DEFAULT_GENERATORS

    return DEFAULT_GENERATORS[runtime]
