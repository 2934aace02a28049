from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.datasets import Case, CasePostIt, load_dataset, load_jsonl


def _makeorg(root: Path) -> None:
    base = root / "makeorg-monde-dapres"
    base.mkdir(parents=True)
    rows = ["proposition,votes,adhesion,engagement,score",
            "Il faut consommer local,500,0.9,0.5,1", "Il faut moins de voitures,20,0.5,0.2,0",
            "Il faut des circuits courts,95,0.85,0.4,1", "Il faut taxer le kérosène,300,0.95,0.6,1"]
    (base / "proposals.csv").write_text("\n".join(rows) + "\n")
    ideas = {"ideas": [{"idea_rank": 1, "idea_title": "Consommer local", "human_synthesis_bullets": ["Local."],
                        "exemplar_csv_row_indices": [0, 2]},
                       {"idea_rank": 2, "idea_title": "Avion", "human_synthesis_bullets": ["Kérosène."],
                        "exemplar_csv_row_indices": [3]}]}
    (base / "ideas.json").write_text(json.dumps(ideas))


def _ccc(root: Path) -> None:
    base = root / "ccc-convention-climat"
    base.mkdir(parents=True)
    rows = ["theme_key,theme,objective_id,objective_label,objective_url,proposal",
            "SE_LOGER,Se loger,l1,Rénover,u,Rénover les passoires",
            "SE_LOGER,Se loger,l1,Rénover,u,Aider la rénovation",
            "SE_LOGER,Se loger,l2,Sols,u,Limiter l'artificialisation",
            "CONSTITUTION,CONSTITUTION,k1,,u,Modifier la constitution"]
    (base / "proposals.csv").write_text("\n".join(rows) + "\n")
    (base / "themes.js").write_text('export const SE_LOGER = {\n  name: "Se loger",\n  description:\n'
                                    '    "Comment se loger sans émettre ?",\n}\n')


def _argkp(root: Path) -> None:
    base = root / "argkp-2021" / "kpm_data"
    base.mkdir(parents=True)
    for split in ("train", "dev"):
        (base / f"arguments_{split}.csv").write_text(
            "arg_id,argument,topic,stance\n"
            f"a_{split}_0,Uniforms reduce bullying,Uniforms,1\na_{split}_1,Uniforms are cheap,Uniforms,1\n"
            f"a_{split}_2,Uniforms limit expression,Uniforms,-1\n")
        (base / f"key_points_{split}.csv").write_text(
            f"key_point_id,key_point,topic,stance\nk_{split}_0,Uniforms reduce bullying,Uniforms,1\n")
        (base / f"labels_{split}.csv").write_text(
            f"arg_id,key_point_id,label\na_{split}_0,k_{split}_0,1\na_{split}_1,k_{split}_0,0\n")


def test_adapters_on_small_excerpts(tmp_path: Path) -> None:
    _makeorg(tmp_path)
    _ccc(tmp_path)
    _argkp(tmp_path)
    exemplars, mk = load_dataset("makeorg", tmp_path)
    assert [p.id for p in mk.postits] == ["mk0", "mk2", "mk3"]  # plébiscite rows and exemplars
    assert exemplars.id == "makeorg-exemplars" and all(p.gold_cluster for p in exemplars.postits)
    assert {p.id: p.gold_cluster for p in mk.postits} == {"mk0": "1", "mk2": "1", "mk3": "2"}
    assert mk.bullets == ["Local.", "Kérosène."] and mk.reference["labels"]["2"] == "Avion"
    [loger] = load_dataset("ccc", tmp_path)
    assert loger.axis == "Se loger" and loger.description == "Comment se loger sans émettre ?"
    assert [p.gold_cluster for p in loger.postits] == ["l1", "l1", "l2"] and loger.bullets == ["Rénover", "Sols"]
    kp = load_dataset("argkp", tmp_path)
    assert len(kp) == 4 and {c.language for c in kp} == {"en"}
    pro = next(c for c in kp if c.id.startswith("argkp-train") and c.id.endswith("pro"))
    assert [p.gold_cluster for p in pro.postits] == ["k_train_0", None]
    assert pro.bullets == ["Uniforms reduce bullying"]


def test_generic_jsonl_round_trip_and_errors(tmp_path: Path) -> None:
    case = Case("c1", "Mobilité", "fr", [CasePostIt("p1", "Des vélos", 3, "g1")], "",
                {"synthesis": "Plus de vélos. Moins de voitures."})
    path = tmp_path / "cases.jsonl"
    path.write_text(case.to_json() + "\n")
    [loaded] = load_jsonl(path)
    assert loaded == case and loaded.bullets == ["Plus de vélos.", "Moins de voitures."]
    path.write_text(case.to_json() + '\n{"id": "broken"}\n')
    with pytest.raises(ValueError, match=r"cases\.jsonl:2"):
        load_jsonl(path)
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("nope", tmp_path)
