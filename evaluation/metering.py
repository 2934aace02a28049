"""Where a drafting run's time goes: a :class:`~models.generation.Generator` that counts.

On a CPU the cost of a synthesis is set by how many prompt tokens the model
reads and how many it writes, not by how many calls it gets. ``atelier bench``
wraps the drafter's generator in :class:`MeteredGenerator` and prints, per kind
of call, the calls, prompt and generated tokens and seconds, so a time goal can
be read against what the design asks of the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from models.generation import Generator, Messages
from models.text import shared_prefixes


@dataclass
class Meter:
    """Totals for one kind of call (``chat`` or ``first_tokens``)."""

    calls: int = 0
    conversations: int = 0
    prompt_tokens: int = 0
    generated_tokens: int = 0
    seconds: float = 0.0
    shared_tokens: int = 0  # prompt tokens of prefixes shared within a call, beyond their first reading

    def line(self, name: str) -> str:
        """One printable line.

        >>> print(Meter(2, 32, 9600, 800, 64.0, 3000).line("chat"))
        chat: 32 conversations in 2 calls, 9600 prompt tokens (300 each, 6600 net of shared), 800 generated, 64.0 s
        """
        each = self.prompt_tokens // self.conversations if self.conversations else 0
        return (f"{name}: {self.conversations} conversations in {self.calls} calls, {self.prompt_tokens} prompt "
                f"tokens ({each} each, {self.prompt_tokens - self.shared_tokens} net of shared), "
                f"{self.generated_tokens} generated, {self.seconds:.1f} s")


class MeteredGenerator:
    """Wraps a generator, counting tokens and time per kind of call.

    Args:
        inner: The generator doing the work (its ``runtime``, ``model_id`` and
            ``settings`` are passed through, so provenance is unchanged).
        count: Tokens of a text; by default the inner generator's tokenizer,
            else whitespace words (an underestimate, said so in the output).
        render: The text a conversation is sent as; by default the inner
            generator's chat template when it has one, else the messages joined.
    """

    def __init__(self, inner: Generator, count: Callable[[str], int] | None = None,
                 render: Callable[[Messages], str] | None = None) -> None:
        self.inner = inner
        self.runtime = inner.runtime
        self.model_id = inner.model_id
        self.settings = inner.settings
        self.count = count or token_counter(inner)
        self.render = render or getattr(inner, "_prompt", None) or _joined
        self.meters: dict[str, Meter] = {"chat": Meter(), "first_tokens": Meter()}

    def _measure(self, kind: str, conversations: Sequence[Messages], run: Callable[[], Any],
                 generated: Callable[[Any], int]) -> Any:
        meter = self.meters[kind]
        t0 = time.perf_counter()
        out = run()
        meter.seconds += time.perf_counter() - t0
        meter.calls += 1
        meter.conversations += len(conversations)
        prompts = [self.render(m) for m in conversations]
        meter.prompt_tokens += sum(self.count(p) for p in prompts)
        # a prefix several prompts of one call share is pre-filled once (models.generation.ov)
        meter.shared_tokens += sum(self.count(prefix) * (sum(p.startswith(prefix) for p in prompts) - 1)
                                   for prefix in shared_prefixes(prompts))
        meter.generated_tokens += generated(out)
        return out

    def chat(self, conversations: Sequence[Messages], max_new_tokens: int) -> list[str]:
        """The inner generator's replies, counted."""
        out: list[str] = self._measure("chat", conversations, lambda: self.inner.chat(conversations, max_new_tokens),
                                       lambda replies: sum(self.count(r) for r in replies))
        return out

    def first_tokens(self, conversations: Sequence[Messages], k: int = 6) -> list[dict[str, float]]:
        """The inner generator's first tokens, counted (one generated token per conversation)."""
        out: list[dict[str, float]] = self._measure(
            "first_tokens", conversations, lambda: self.inner.first_tokens(conversations, k), len)
        return out

    def report(self) -> list[str]:
        """One line per kind of call that happened."""
        return [meter.line(kind) for kind, meter in self.meters.items() if meter.calls]


def _joined(messages: Messages) -> str:
    return "\n".join(m["content"] for m in messages)


def token_counter(generator: Generator) -> Callable[[str], int]:
    """Counts a text's tokens with ``generator``'s own tokenizer (whitespace words without one)."""
    tokenizer = getattr(generator, "tokenizer", None)
    if tokenizer is None:
        return lambda text: len(text.split())

    def count(text: str) -> int:
        encoded = tokenizer.encode(text)
        if hasattr(encoded, "input_ids"):  # OpenVINO GenAI's TokenizedInputs
            return int(encoded.input_ids.data.shape[-1])
        return len(encoded)

    return count
