from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from models.factory import DRAFTERS, build_drafter
from models.generation import GeneratorUnavailableError, build_generator
from models.generation.ov import model_path
from models.generation.remote import OpenAIGenerator


def _server(answers: list[httpx.Response | Exception], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return httpx.MockTransport(handle)


def _reply(text: str) -> httpx.Response:
    return httpx.Response(200, json={"choices": [{"message": {"role": "assistant", "content": text}}]})


def test_openai_retries_with_backoff_then_answers() -> None:
    seen: list[httpx.Request] = []
    answers: list[httpx.Response | Exception] = [httpx.ConnectError("refused"), httpx.Response(503), _reply("Bonjour.")]
    gen = OpenAIGenerator("http://127.0.0.1:9/", "qwen", api_key="s3cret", backoff=0.001,
                          transport=_server(answers, seen))
    assert gen.chat([[{"role": "user", "content": "Salut"}]], 16) == ["Bonjour."]
    assert len(seen) == 3 and str(seen[-1].url) == "http://127.0.0.1:9/v1/chat/completions"
    body = json.loads(seen[-1].content)
    assert body["model"] == "qwen" and body["temperature"] == 0.0 and body["max_tokens"] == 16
    assert seen[-1].headers["authorization"] == "Bearer s3cret"
    assert "s3cret" not in json.dumps(gen.settings)


def test_openai_unreachable_server_gives_one_clear_error() -> None:
    gen = OpenAIGenerator("http://127.0.0.1:9/v1", "qwen", retries=1, backoff=0.001,
                          transport=_server([httpx.ConnectError("refused")] * 2, []))
    with pytest.raises(GeneratorUnavailableError, match=r"cannot reach .*127\.0\.0\.1:9/v1 after 2 attempts"):
        gen.chat([[{"role": "user", "content": "x"}]], 4)


def test_openai_client_errors_are_not_retried() -> None:
    seen: list[httpx.Request] = []
    gen = OpenAIGenerator("http://h/v1", "m", backoff=0.001,
                          transport=_server([httpx.Response(404, text="model not found")], seen))
    with pytest.raises(GeneratorUnavailableError, match="answered 404: model not found"):
        gen.chat([[{"role": "user", "content": "x"}]], 4)
    assert len(seen) == 1


def test_openai_reads_top_logprobs() -> None:
    logprobs = {"content": [{"token": "Oui", "logprob": -0.1, "top_logprobs": [
        {"token": "Oui", "logprob": -0.1}, {"token": "Non", "logprob": -2.4}]}]}
    answer = httpx.Response(200, json={"choices": [{"message": {"content": "Oui"}, "logprobs": logprobs}]})
    gen = OpenAIGenerator("http://h", "m", transport=_server([answer], []))
    assert gen.first_tokens([[{"role": "user", "content": "?"}]]) == [{"Oui": -0.1, "Non": -2.4}]


def test_openai_configuration_comes_from_settings_or_environment() -> None:
    with pytest.raises(GeneratorUnavailableError, match="ATELIER_OPENAI_BASE_URL"):
        OpenAIGenerator.from_env(environ={})
    gen = OpenAIGenerator.from_env(environ={"ATELIER_OPENAI_BASE_URL": "http://10.0.0.2:8000",
                                            "ATELIER_OPENAI_MODEL": "mistral"})
    assert gen.base_url == "http://10.0.0.2:8000/v1" and gen.model_id == "mistral"
    drafter = build_drafter("openai", "other", base_url="http://h:1/v1", environ={})
    assert drafter.name == "openai" and drafter.model_id == "other"


def test_runtime_names_are_checked() -> None:
    assert DRAFTERS == ("openvino", "transformers", "openai", "extractive")
    with pytest.raises(ValueError, match="choose one of openvino, transformers, openai"):
        build_generator("llamafile")
    with pytest.raises(ValueError, match="unknown drafter 'gpt'"):
        build_drafter("gpt")


def test_openvino_refuses_hub_ids_with_advice() -> None:
    with pytest.raises(GeneratorUnavailableError, match="optimum-cli export openvino"):
        model_path("Qwen/Qwen2.5-1.5B-Instruct")


def test_openvino_explains_a_read_only_gguf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenVINO GenAI opens GGUF files O_RDWR|O_APPEND: a read-only one gets advice, not a bare gguf_open error."""
    from models.generation import ov

    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setattr(ov.os, "access", lambda path, mode: False)
    with pytest.raises(GeneratorUnavailableError, match="read-only for this user: make it writable"):
        ov.OpenVINOGenerator(str(gguf))


class _RecordingPipeline:
    """Stands in for ``openvino_genai.LLMPipeline``: records each generate call's prompts and bound."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], int]] = []

    def get_tokenizer(self) -> _RecordingPipeline:
        return self

    def apply_chat_template(self, messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
        return "".join(f"<{m['role']}>{m['content']}" for m in messages) + "<assistant>"

    def generate(self, prompts: list[str], config: object) -> object:
        self.calls.append((list(prompts), config.max_new_tokens))  # type: ignore[attr-defined]
        return type("Result", (), {"texts": ["ok"] * len(prompts)})()


def test_openvino_prefills_a_shared_prefix_once_before_the_batch() -> None:
    """Prefix caching only reuses what an earlier request cached: one prompt sharing the system message goes first."""
    from models.generation.ov import OpenVINOGenerator
    from models.text import MIN_SHARED_PREFIX

    pipeline = _RecordingPipeline()
    generator = OpenVINOGenerator("m.gguf", pipeline=pipeline)
    system = {"role": "system", "content": "Consignes. " * (MIN_SHARED_PREFIX // 10)}
    conversations = [[system, {"role": "user", "content": f"Post-its {n}"}] for n in range(3)]
    assert generator.chat(conversations, 24) == ["ok"] * 3
    (primed, bound), (batch, _) = pipeline.calls
    # the first whole prompt, one token: a bare prefix cut mid-token let OpenVINO mix up answers
    assert bound == 1 and primed == batch[:1] and primed[0].endswith("<user>Post-its 0<assistant>")
    pipeline.calls.clear()
    generator.chat([[{"role": "user", "content": "Court"}], [{"role": "user", "content": "Autre"}]], 24)
    assert len(pipeline.calls) == 1  # nothing worth priming
