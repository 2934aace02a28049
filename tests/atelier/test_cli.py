from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atelier.cli import main
from models.inputs import InputError, read_postits

CLI = [sys.executable, "-m", "atelier"]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("no_text.csv", b"id,body\n1,hello\n", "no_text.csv:1: missing column 'text'"),
    ("empty.csv", b"id,text,axis\n1,ok,A\n2,  ,A\n", "empty.csv:3: empty text"),
    ("bytes.csv", b"id,text\n1,ok\n2,caf\xe9\n", "bytes.csv:3: undecodable bytes"),
    ("votes.csv", b"id,text,votes\n1,ok,many\n", "votes.csv:2: votes is not an integer"),
    ("notes.txt", b"hello", "unknown file type '.txt'"),
    ("bad.jsonl", b'{"text": "ok"}\n{"id": 2}\n', "bad.jsonl:2: missing field 'text'"),
    ("bad.json", b'[{"text": "ok"}, {"text": ""}]', "bad.json:2: empty text"),
])
def test_bad_input_gives_one_line_naming_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError):
        read_postits(path)
    status = main(["synthesize", str(path), "--out", str(tmp_path / "out"), "--drafter", "extractive"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status != 0
    assert len(err) == 1 and expected in err[0] and str(tmp_path) in err[0]
    assert not (tmp_path / "out").exists()


def test_good_inputs_in_three_formats(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,text,axis,votes,extra\n1,Des FabLabs,FabLabs,3,x\n2,Vente,,,\n")
    (tmp_path / "a.json").write_text('[{"id": "1", "text": "Des FabLabs", "axis": "FabLabs", "votes": 3}]')
    (tmp_path / "a.jsonl").write_text('{"text": "Des FabLabs", "author": "table 2"}\n\n')
    csv_posts = read_postits(tmp_path / "a.csv")
    assert [(p.id, p.axis, p.votes) for p in csv_posts] == [("1", "FabLabs", 3), ("2", None, 0)]
    assert read_postits(tmp_path / "a.json")[0].votes == 3
    assert read_postits(tmp_path / "a.jsonl")[0].author == "table 2"


@pytest.mark.system
def test_synthesize_end_to_end_with_tiny_local_models(tmp_path: Path, tiny_models: dict[str, Path]) -> None:
    source = tmp_path / "in.csv"
    rows = [f"{i},{t} {i},{a},{i % 3}" for i, (t, a) in enumerate(
        [("fablab imprimante", "FabLabs"), ("tiers-lieu partagé", "FabLabs"), ("vente en ligne", "Numérique"),
         ("site vitrine", "Numérique"), ("formation courte", "")] * 4)]
    source.write_text("id,text,axis,votes\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    done = subprocess.run(
        [*CLI, "synthesize", str(source), "--out", str(out), "--embedder", str(tiny_models["embedder"]),
         "--drafter", "transformers", "--generator", str(tiny_models["generator"]), "--threads", "1"],
        capture_output=True, text=True, env={**_env(tmp_path)}, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "drafting" in done.stderr  # the progress bar went to stderr
    data = json.loads((out / "synthesis.json").read_text())
    assert [a["name"] for a in data["axes"]] == ["FabLabs", "Numérique"]
    placed = [i for a in data["axes"] for i in a["singular_postit_ids"] + [x for c in a["clusters"]
                                                                           for x in c["postit_ids"]]]
    assert sorted(placed, key=int) == [str(i) for i in range(20)]
    assert sorted(i for a in data["axes"] for i in a["routed_postit_ids"]) == sorted(str(i) for i in range(4, 20, 5))
    assert data["provenance"]["drafter"] == "transformers"
    assert (out / "synthesis.md").read_text().startswith("# Synthèse de l'atelier")


@pytest.mark.system
def test_missing_packaged_model_says_how_to_fetch(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("text\nbonjour\n")
    done = subprocess.run([*CLI, "synthesize", str(source), "--out", str(tmp_path / "o"), "--drafter",
                           "extractive"], capture_output=True, text=True, env=_env(tmp_path / "empty-home"),
                          check=False)
    assert done.returncode != 0
    assert "atelier models fetch embeddinggemma-300m" in done.stderr.strip().splitlines()[-1]


def _env(home: Path) -> dict[str, str]:
    import os

    return {**os.environ, "ATELIER_HOME": str(home), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


@pytest.mark.system
def test_openvino_gives_one_line_for_a_model_it_cannot_read(tmp_path: Path, tiny_models: dict[str, Path]) -> None:
    source = tmp_path / "w.csv"
    source.write_text("id,text,axis\n1,FabLabs ruraux,FabLabs\n")
    done = subprocess.run([*CLI, "synthesize", str(source), "--out", str(tmp_path / "o"), "--embedder",
                           str(tiny_models["embedder"]), "--generator", str(tiny_models["generator"])],
                          capture_output=True, text=True, env={**_env(tmp_path)}, check=False)
    assert done.returncode == 2
    assert "atelier: error: OpenVINO GenAI cannot open" in done.stderr and "Traceback" not in done.stderr
