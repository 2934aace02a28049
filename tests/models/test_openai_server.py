"""The ``openai`` runtime against a real OpenAI-compatible server process (llama.cpp's, on loopback).

``make test`` builds llama-cpp-python once per machine (``make llama-server``) and this test
starts ``python -m llama_cpp.server`` on the packaged Qwen2.5-Coder-1.5B GGUF. It never skips:
without the server package it fails and says how to get it.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from models.drafting import LLMDrafter
from models.generation import GeneratorUnavailableError
from models.generation.remote import OpenAIGenerator
from models.pipeline import Pipeline
from models.store import DEFAULT_GENERATOR, resolve
from models.types import VERDICTS, Axis, PostIt
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp.server") is None:
        pytest.fail("llama-cpp-python[server] is not installed: run `make llama-server`", pytrace=False)
    model = resolve(DEFAULT_GENERATOR)
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(Path(model.path) / (model.gguf_file or "")),
             "--model_alias", "qwen", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
             "--n_threads", "2"], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}", pytrace=False)
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_chat_and_logprobs_from_a_real_server(server: str) -> None:
    gen = OpenAIGenerator(server, "qwen", timeout=120)
    question = "Réponds par un seul mot : quelle est la capitale de la France ?"
    [answer] = gen.chat([[{"role": "user", "content": question}]], 8)
    assert "paris" in answer.lower()
    [tokens] = gen.first_tokens([[{"role": "user", "content": "Paris est-elle en France ? Réponds oui ou non."}]])
    assert tokens and all(v <= 0 for v in tokens.values())


def test_pipeline_drafts_through_the_server(server: str) -> None:
    postits = [PostIt("a", "Il faut ouvrir des FabLabs dans les communes rurales", "FabLabs", 12),
               PostIt("b", "Des FabLabs ruraux pour les artisans", "FabLabs", 7),
               PostIt("c", "Former les artisans à la fabrication numérique dans les FabLabs", "FabLabs", 3)]
    drafter = LLMDrafter(OpenAIGenerator(server, "qwen", timeout=120), key_point_tokens=48)
    synthesis = Pipeline(HashingEmbedder(), drafter).run(postits, [Axis("FabLabs")]).to_dict()
    [axis] = synthesis["axes"]
    assert axis["key_points"] and axis["pitch"]["sentences"]
    for s in axis["key_points"] + axis["pitch"]["sentences"]:
        assert s["verdict"] in VERDICTS and set(s["citations"]) <= {"a", "b", "c"}
    assert synthesis["provenance"]["runtime"] == "openai" and synthesis["provenance"]["generator"] == "qwen"


def test_a_stopped_server_gives_a_clear_error() -> None:
    gen = OpenAIGenerator(f"http://127.0.0.1:{_free_port()}/v1", "qwen", retries=1, backoff=0.01, timeout=2)
    with pytest.raises(GeneratorUnavailableError, match="cannot reach the OpenAI-compatible server"):
        gen.chat([[{"role": "user", "content": "x"}]], 4)
