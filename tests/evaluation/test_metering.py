"""The bench's metered generator counts what the model reads and writes, and changes nothing else."""

from __future__ import annotations

from evaluation.metering import MeteredGenerator
from tests.fakes import ScriptedGenerator


def test_tokens_and_calls_are_counted_per_kind_and_replies_pass_through() -> None:
    inner = ScriptedGenerator(reply=lambda m: "deux mots", agree=lambda m: 0.8, model_id="tiny")
    metered = MeteredGenerator(inner)
    asks = [[{"role": "user", "content": "un deux trois"}], [{"role": "user", "content": "quatre cinq"}]]

    replies = metered.chat(asks, 16)
    tokens = metered.first_tokens(asks[:1])

    assert replies == ["deux mots", "deux mots"]
    assert round(sum(2.718281828 ** v for v in tokens[0].values()), 3) == 1.0
    chat, judge = metered.meters["chat"], metered.meters["first_tokens"]
    assert (chat.calls, chat.conversations, chat.prompt_tokens, chat.generated_tokens) == (1, 2, 5, 4)
    assert (judge.calls, judge.conversations, judge.prompt_tokens, judge.generated_tokens) == (1, 1, 3, 1)
    assert inner.sent == asks and len(inner.judged) == 1
    assert (metered.runtime, metered.model_id, metered.settings) == (inner.runtime, "tiny", inner.settings)
    assert metered.report()[0].startswith("chat: 2 conversations in 1 calls, 5 prompt tokens")


def test_a_given_counter_and_renderer_are_used() -> None:
    metered = MeteredGenerator(ScriptedGenerator(), count=len, render=lambda m: "<" + m[0]["content"] + ">")
    metered.chat([[{"role": "user", "content": "abc"}]], 8)
    assert metered.meters["chat"].prompt_tokens == 5
    assert metered.report() == [metered.meters["chat"].line("chat")]
