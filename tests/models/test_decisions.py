from __future__ import annotations

import numpy as np

from models.decisions import SINGULAR, Merge, Move, Rename, ReviewDecisions, apply_decisions

IDS = ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "n1"]
#         a  a  a  b  b  b  c  c  singular
LABELS = np.array([0, 0, 0, 1, 1, 1, 2, 2, SINGULAR])


def _groups(ids: list[str], labels: np.ndarray) -> dict[str, int]:
    return dict(zip(ids, labels.tolist(), strict=True))


def test_no_decision_changes_nothing_but_numbering() -> None:
    out = apply_decisions(IDS, LABELS, ReviewDecisions())
    assert out.labels.tolist() == LABELS.tolist() and out.names == {} and out.kept == {}


def test_a_moved_postit_follows_the_postits_it_was_moved_beside() -> None:
    moves = [Move("b1", with_ids=("a1", "a2", "a3"), away_from=("b2", "b3"))]
    got = _groups(IDS, apply_decisions(IDS, LABELS, ReviewDecisions(moves=moves)).labels)
    assert got["b1"] == got["a1"] != got["b2"]


def test_the_last_move_of_a_postit_wins_and_singular_means_alone() -> None:
    moves = [Move("b1", with_ids=("a1",)), Move("b1")]
    got = _groups(IDS, apply_decisions(IDS, LABELS, ReviewDecisions(moves=moves)).labels)
    assert got["b1"] == SINGULAR and got["b2"] == got["b3"] != SINGULAR


def test_companions_left_singular_form_a_group_again() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1, SINGULAR, SINGULAR, SINGULAR])
    out = apply_decisions(IDS, labels, ReviewDecisions(moves=[Move("n1", with_ids=("c1", "c2"))]))
    got = _groups(IDS, out.labels)
    assert got["n1"] == got["c1"] == got["c2"] != SINGULAR
    assert out.kept[got["n1"]] == ["move"]


def test_merged_clusters_stay_merged_when_reclustered_apart() -> None:
    merge = Merge(first=("a1", "a2", "a3"), second=("c1", "c2"))
    out = apply_decisions(IDS, LABELS, ReviewDecisions(merges=[merge]))
    got = _groups(IDS, out.labels)
    assert got["a1"] == got["a3"] == got["c1"] == got["c2"] != got["b1"]
    assert out.kept[got["a1"]] == ["merge"]


def test_rename_goes_to_the_cluster_that_still_overlaps_and_is_dropped_otherwise() -> None:
    renames = [Rename("Vélo", ("b1", "b2", "b3", "gone")), Rename("Disparu", ("x", "y"))]
    out = apply_decisions(IDS, LABELS, ReviewDecisions(renames=renames))
    assert list(out.names.values()) == ["Vélo"]
    [cluster] = out.names
    assert _groups(IDS, out.labels)["b1"] == cluster and out.kept[cluster] == ["rename"]


def test_new_postits_and_deleted_ids_are_placed_around_decisions() -> None:
    ids = [*IDS, "new1", "new2"]
    labels = np.array([*LABELS.tolist(), 0, 1])
    decisions = ReviewDecisions(moves=[Move("deleted", with_ids=("a1",)), Move("c1", with_ids=("a1", "deleted"))])
    got = _groups(ids, apply_decisions(ids, labels, decisions).labels)
    assert got["c1"] == got["a1"] == got["new1"] and got["new2"] == got["b1"]
    assert sorted(got) == sorted(ids)


def test_numbering_does_not_depend_on_input_order() -> None:
    decisions = ReviewDecisions(moves=[Move("b1", with_ids=("c1", "c2"))])
    base = _groups(IDS, apply_decisions(IDS, LABELS, decisions).labels)
    order = [8, 3, 0, 6, 1, 7, 4, 2, 5]
    shuffled = apply_decisions([IDS[i] for i in order], LABELS[order], decisions).labels
    assert _groups([IDS[i] for i in order], shuffled) == base


def test_a_merge_pulls_back_members_the_new_clustering_put_in_a_third_cluster() -> None:
    decisions = ReviewDecisions(merges=[Merge(("a", "b", "c"), ("d", "e"))])
    # the new clustering put c beside x: the reviewer's merge still holds c, not x
    out = apply_decisions(["a", "b", "c", "d", "e", "x"], np.array([0, 0, 2, 1, 1, 2]), decisions)
    assert len(set(out.labels[:5].tolist())) == 1 and out.labels[5] != out.labels[0]
