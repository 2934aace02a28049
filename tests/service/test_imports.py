"""Imports from Polis and Decidim exports: counts, idempotence, all-or-nothing, errors naming file and line."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import wait_job

API = "/api/v1"
DATA = Path(__file__).resolve().parents[1] / "data"
POLIS = DATA / "polis-energie"


def zipped(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, prefix + f.name)
    return buffer.getvalue()


def new_workshop(client: TestClient[Litestar], language: str = "fr") -> str:
    made = client.post(f"{API}/workshops", json={"title": "Klimarat", "language": language})
    return str(made.json()["id"])


def polis_import(client: TestClient[Litestar], wid: str, body: bytes) -> Any:
    return client.post(f"{API}/workshops/{wid}/import?format=polis", content=body,
                       headers={"Content-Type": "application/zip"})


def test_polis_zip_imports_one_axis_with_counts_and_votes(client: TestClient[Litestar]) -> None:
    wid = new_workshop(client)
    answer = polis_import(client, wid, zipped(POLIS))
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["created"] == 40 and report["updated"] == 0 and report["left_out"] == {"moderated": 8}
    assert report["language"] == "de"  # detected from the texts of an empty workshop
    [axis] = report["axes"]
    assert axis["name"] == "Energie" and axis["axis_created"] and axis["votes"] == 9607
    assert "CC BY 4.0" in axis["attribution"] and "pol.is/2vkxcncppn" in axis["attribution"]
    workshop = client.get(f"{API}/workshops/{wid}").json()
    assert workshop["language"] == "de" and [a["name"] for a in workshop["axes"]] == ["Energie"]
    postits = client.get(f"{API}/workshops/{wid}/postits").json()
    assert len(postits) == 40 and all(p["axis"] == "Energie" for p in postits)
    first = next(p for p in postits if p["external_id"] == "polis:2vkxcncppn:51")
    assert (first["agrees"], first["disagrees"], first["votes"]) == (753, 306, 753)
    again = polis_import(client, wid, zipped(POLIS)).json()  # idempotent by source id
    assert again["created"] == 0 and again["updated"] == 40 and again["votes"] == 9607
    assert len(client.get(f"{API}/workshops/{wid}/postits").json()) == 40


def test_polis_multipart_of_files_imports_too(client: TestClient[Litestar]) -> None:
    wid = new_workshop(client)
    files = [("files", (f.name, f.read_bytes(), "text/csv")) for f in sorted(POLIS.iterdir())]
    answer = client.post(f"{API}/workshops/{wid}/import?format=polis", files=files)
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 40


def test_a_bad_line_names_file_and_line_and_stores_nothing(client: TestClient[Litestar]) -> None:
    wid = new_workshop(client)
    lines = (POLIS / "comments.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",1,", ",beaucoup,", 1) if ",1," in lines[5] else lines[5]
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("energie/comments.csv", "\n".join(lines) + "\n")
        archive.writestr("energie/summary.csv", (POLIS / "summary.csv").read_bytes())
    answer = polis_import(client, wid, broken.getvalue())
    assert answer.status_code == 400
    assert "energie/comments.csv line 6" in answer.json()["detail"], answer.json()
    assert client.get(f"{API}/workshops/{wid}/postits").json() == []
    assert client.get(f"{API}/workshops/{wid}").json()["axes"] == []  # no half-made axis either
    assert polis_import(client, wid, b"PK\x03\x04 not a zip").status_code == 400
    missing = client.post(f"{API}/workshops/{wid}/import?format=polis", content=b"a,b\n1,2\n",
                          headers={"Content-Type": "text/csv"})
    assert missing.status_code == 400 and "comments.csv" in missing.json()["detail"]


def test_a_comment_over_the_length_limit_names_its_file_and_line(client: TestClient[Litestar]) -> None:
    wid = new_workshop(client)
    body = ("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
            "1,x,1,0,3,1,1,Kurz\n" f"2,x,2,0,3,1,1,{'lang ' * 500}\n")
    answer = client.post(f"{API}/workshops/{wid}/import?format=polis",
                         files=[("files", ("comments.csv", body.encode(), "text/csv"))])
    assert answer.status_code == 413 and answer.json()["detail"].startswith("comments.csv line 3: text longer")
    assert client.get(f"{API}/workshops/{wid}/postits").json() == []


def test_a_zip_bomb_is_refused_before_it_is_read(home: Path) -> None:
    from tests.service.conftest import authorized, make_app

    with TestClient(app=make_app(home, max_import_bytes=10_000), base_url="http://testserver.local") as raw:
        client = authorized(raw, home)
        wid = new_workshop(client)
        answer = polis_import(client, wid, zipped(POLIS))
        assert answer.status_code == 413 and "ATELIER_MAX_IMPORT_BYTES" in answer.json()["detail"]


def test_the_import_budget_holds_for_the_whole_request_not_each_part(home: Path) -> None:
    """Each multipart part had the whole budget: three zips under it imported, one zip of the same was 413."""
    from tests.service.conftest import authorized, make_app

    size = sum(f.stat().st_size for f in POLIS.iterdir())
    with TestClient(app=make_app(home, max_import_bytes=size + 1000), base_url="http://testserver.local") as raw:
        client = authorized(raw, home)
        wid = new_workshop(client)
        assert polis_import(client, wid, zipped(POLIS)).status_code == 201  # one export fits
        parts = [("file", (f"part{i}.zip", zipped(POLIS, f"c{i}/"), "application/zip")) for i in range(3)]
        answer = client.post(f"{API}/workshops/{wid}/import?format=polis", files=parts)
        assert answer.status_code == 413 and "in all" in answer.json()["detail"], answer.text
        small = [("file", (f"p{i}.csv", b"x" * (size // 2), "text/csv")) for i in range(3)]
        refused = client.post(f"{API}/workshops/{wid}/import?format=polis", files=small)
        assert refused.status_code == 413, refused.text  # plain files count against the same budget


def test_polis_votes_are_bounded_before_they_are_parsed(home: Path) -> None:
    """participants-votes.csv costs rows x comments: 5 MB could hold ~50 min of CPU. Counted first, then parsed."""
    import pytest
    from litestar.exceptions import ClientException

    from service.imports import polis
    from tests.service.conftest import authorized, make_app

    files = {f.name: f.read_bytes() for f in POLIS.iterdir()}
    with TestClient(app=make_app(home, max_import_votes=5_000), base_url="http://testserver.local") as raw:
        answer = polis_import(authorized(raw, home), new_workshop(authorized(raw, home)), zipped(POLIS))
        assert answer.status_code == 413 and "participants-votes.csv" in answer.json()["detail"], answer.text
        assert "ATELIER_MAX_IMPORT_VOTES" in answer.json()["detail"]
    header = files["participants-votes.csv"].split(b"\n", 1)[0]
    huge = {**files, "participants-votes.csv": header + b"\n" + b"p,1\n" * 2_000_000}
    started = time.perf_counter()
    with pytest.raises(ClientException, match="vote cells"):
        polis.conversations(huge)
    print(f"polis: 2,000,000-row participants-votes.csv refused in {time.perf_counter() - started:.3f} s")
    with pytest.raises(ClientException, match="ATELIER_MAX_IMPORT_POSTITS"):  # before any vote is read
        polis.conversations({**files, "participants-votes.csv": b"x"}, max_postits=10)


def test_a_polis_export_with_inverted_vote_signs_is_refused_naming_the_file() -> None:
    """Polis' database stores an agree as -1, its exports +1: a missing flip inverted Polis' own reports."""
    import re

    import pytest
    from litestar.exceptions import ClientException

    from service.imports import polis

    files = {f.name: f.read_bytes() for f in POLIS.iterdir()}
    assert polis.conversations(files)[0].votes  # the excerpt as exported passes
    flipped = re.sub(rb"(?<=,)(-?1)(?=,|\r?\n|$)", lambda m: str(-int(m[1])).encode(), files["participants-votes.csv"])
    with pytest.raises(ClientException, match=r"participants-votes.csv: vote signs are inverted"):
        polis.conversations({**files, "participants-votes.csv": flipped})


def test_decidim_csv_imports_one_axis_per_category(client: TestClient[Litestar]) -> None:
    wid = new_workshop(client)
    answer = client.post(f"{API}/workshops/{wid}/import?format=decidim",
                         files=[("file", ("proposals.csv", (DATA / "decidim-proposals.csv").read_bytes(), "text/csv"))])
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert [a["name"] for a in report["axes"]] == ["Mobilité", "Artisanat", "Sans catégorie"]
    assert report["created"] == 4 and report["left_out"] == {"withdrawn": 1, "rejected": 1}
    assert report["language"] == "fr"
    postits = {p["external_id"]: p for p in client.get(f"{API}/workshops/{wid}/postits").json()}
    shuttle = postits["decidim:101"]
    assert shuttle["votes"] == 42 and shuttle["axis"] == "Mobilité"
    assert shuttle["text"].startswith("Navettes vers la gare : Des navettes électriques")
    assert "<p>" not in shuttle["text"] and "&nbsp;" not in shuttle["text"]
    english = client.post(f"{API}/workshops/{new_workshop(client, 'en')}/import?format=decidim&locale=en",
                          content=(DATA / "decidim-proposals.csv").read_bytes(), headers={"Content-Type": "text/csv"})
    assert [a["name"] for a in english.json()["axes"]] == ["Mobility", "Crafts", "Uncategorised"]


def test_decidim_030_export_reads_taxonomies_likes_and_withdrawn(client: TestClient[Litestar]) -> None:
    """Decidim 0.30 replaced categories with taxonomies and endorsements with likes; all landed in one axis."""
    wid = new_workshop(client)
    body = (DATA / "decidim-proposals-0.30.csv").read_bytes()
    answer = client.post(f"{API}/workshops/{wid}/import?format=decidim", content=body,
                         headers={"Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert [a["name"] for a in report["axes"]] == ["Mobilité", "Artisanat", "Sans catégorie"]
    assert report["created"] == 4 and report["left_out"] == {"withdrawn": 1, "rejected": 1}
    postits = {p["external_id"]: p for p in client.get(f"{API}/workshops/{wid}/postits").json()}
    assert postits["decidim:201"]["votes"] == 7  # votes hidden (empty): the likes count
    assert postits["decidim:202"]["votes"] == 12 and postits["decidim:206"]["axis"] == "Mobilité"
    assert postits["decidim:204"]["text"].endswith(": - Ouvrir les ateliers du lycée professionnel le samedi.")
    english = client.post(f"{API}/workshops/{new_workshop(client, 'en')}/import?format=decidim&locale=en",
                          content=body, headers={"Content-Type": "text/csv"})
    assert [a["name"] for a in english.json()["axes"]] == ["Mobility", "Crafts", "Uncategorised"]


def test_a_decidim_body_of_angle_brackets_imports_in_linear_time() -> None:
    """``<[^>]+>`` rescanned the cell from every ``<``: 260 KB held the GIL 5 s. Now linear, capped, bounded."""
    import pytest
    from litestar.exceptions import ClientException

    from service.imports import decidim

    header = "id;title/fr;body/fr;category/name/fr;state;votes\n"
    data = (header + f"1;Titre;{'<' * 130_000};Mobilité;;3\n").encode()
    started = time.perf_counter()
    [axis] = decidim.conversations(data, "fr", 2000)
    print(f"decidim: 130,000 '<' parsed in {time.perf_counter() - started:.3f} s")
    assert axis.items[0].text.startswith("Titre : <<<") and len(axis.items[0].text) == 2000
    assert decidim.plain("<" * 10_000 + "<b>x", limit=50) == "<" * 50  # only the cap is read
    with pytest.raises(ClientException, match="field larger than field limit"):  # csv's own bound: 128 KiB a cell
        decidim.conversations((header + f"1;Titre;{'<' * 1_000_000};M;;3\n").encode(), "fr", 2000)


def test_import_needs_write_permission_and_a_known_format(client: TestClient[Litestar]) -> None:
    from tests.service.test_review_api import as_key

    wid = new_workshop(client)
    reader = as_key(client, "viewer", "Lecteur")
    assert client.post(f"{API}/workshops/{wid}/import?format=polis", content=zipped(POLIS), headers={
        **reader, "Content-Type": "application/zip"}).status_code == 403
    assert client.post(f"{API}/workshops/{wid}/import?format=csv", content=b"x").status_code == 400


def test_imported_polis_clusters_with_agreement_and_division_per_key_point(client: TestClient[Litestar]) -> None:
    wid = new_workshop(client)
    polis_import(client, wid, zipped(POLIS)).raise_for_status()
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    [axis] = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"]
    stances = [k["consensus"] for k in axis["key_points"]]
    assert all(s is not None for s in stances)
    assert all(0.0 <= s["agreement"] <= 1.0 and s["label"] in ("consensus", "divided", "mixed") for s in stances)
    assert all(len(s["groups"]) >= 2 for s in stances)  # opinion groups read off the 300 voters
    page = client.get(f"/review/axes/{client.get(f'{API}/workshops/{wid}').json()['axes'][0]['id']}").text
    assert '<html lang="de">' in page and "% Zustimmung" in page and 'class="stance' in page  # a German conversation


def _large_export(comments: int, participants: int) -> tuple[bytes, int]:
    """A Polis export the size of a whole conversation, built from the excerpt's comments.

    Whole conversations live in ``ATELIER_DATA_DIR`` (``atelier evaluate``, the bench); a clone's
    tests build theirs: each comment of the excerpt reworded per copy, each participant voting on
    ~40 % of the comments, signs following the excerpt's own majority (seeded with ``hashlib``).
    """
    import csv
    import hashlib

    source = list(csv.DictReader(io.StringIO((POLIS / "comments.csv").read_text(), newline="")))
    source = [r for r in source if r["moderated"] != "-1"]
    header = ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
    out, votes = io.StringIO(), 0
    rows = [{**r, "comment-id": str(i), "moderated": "1", "agrees": "0", "disagrees": "0",
             "comment-body": f"{r['comment-body']} (Vorschlag {i // len(source) + 1})"}
            for i, r in enumerate(source * (comments // len(source) + 1))][:comments]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + [r["comment-id"] for r in rows])
    tallies = [[0, 0] for _ in rows]
    for p in range(participants):
        digest = b"".join(hashlib.sha256(f"{p}:{k}".encode()).digest() for k in range(comments // 32 + 1))
        cells = []
        for i in range(len(rows)):
            if digest[i] % 5 >= 2:  # ~40 % of the comments seen
                cells.append("")
                continue
            original = source[i % len(source)]
            leaning = 1 if int(original["agrees"]) >= int(original["disagrees"]) else -1
            vote = -leaning if digest[i] % 10 == 0 else leaning  # one in five dissents
            tallies[i][vote < 0] += 1
            votes += 1
            cells.append(str(vote))
        writer.writerow([p, "", "", 0, 0, 0, 0, *cells])
    comments_csv = io.StringIO()
    fields = list(rows[0].keys())
    table = csv.DictWriter(comments_csv, fields, lineterminator="\n")
    table.writeheader()
    table.writerows({**r, "agrees": str(t[0]), "disagrees": str(t[1])} for r, t in zip(rows, tallies, strict=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("energie/comments.csv", comments_csv.getvalue())
        archive.writestr("energie/participants-votes.csv", out.getvalue())
        archive.writestr("energie/summary.csv", (POLIS / "summary.csv").read_bytes())
    return buffer.getvalue(), votes


@pytest.mark.system  # a 20,000-vote export: tens of seconds on 2 cores
def test_a_whole_conversation_sized_export_imports_and_clusters(client: TestClient[Litestar]) -> None:
    """500 comments and 800 participants (400,000 cells), built in the test from the bundled excerpt."""
    body, expected = _large_export(500, 800)
    wid = new_workshop(client)
    started = time.perf_counter()
    report = polis_import(client, wid, body)
    imported = time.perf_counter() - started
    assert report.status_code == 201, report.text
    answer = report.json()
    assert (answer["created"], answer["votes"], answer["language"]) == (500, expected, "de")
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job, timeout=600)["state"] == "succeeded"
    [axis] = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"]
    placed = [i for c in axis["clusters"] for i in c["postit_ids"]] + axis["singular_postit_ids"]
    assert len(set(placed)) == 500
    labels = [k["consensus"]["label"] for k in axis["key_points"]]
    print(f"\nlarge export ({len(body)} bytes zipped, {expected} votes): imported in {imported:.1f} s, synthesis "
          f"(hashing embedder, extractive) in {time.perf_counter() - started - imported:.1f} s; "
          f"key points {len(labels)}: { {x: labels.count(x) for x in set(labels)} }")


def test_the_english_biodiversity_conversation_imports_in_english(client: TestClient[Litestar]) -> None:
    """An excerpt of New Zealand's Polis conversation (tests/data): detected English, clustered and drafted."""
    wid = new_workshop(client)
    report = polis_import(client, wid, zipped(DATA / "polis-biodiversity", "biodiversity/"))
    assert report.status_code == 201, report.text
    body = report.json()
    assert body["language"] == "en" and body["created"] == 40 and body["left_out"] == {"moderated": 8}
    assert body["votes"] == 4093  # votes.csv rows on kept comments, a voter's later vote replacing the earlier
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job, timeout=600)["state"] == "succeeded"
    [axis] = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"]
    assert axis["key_points"] and all(k["consensus"] for k in axis["key_points"])
