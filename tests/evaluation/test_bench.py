from __future__ import annotations

from evaluation.bench import StreamedRun
from models.drafting import ExtractiveDrafter
from models.pipeline import Pipeline
from tests.conftest import workshop
from tests.fakes import HashingEmbedder


def test_a_streamed_run_times_the_first_axis_from_its_own_clusters_and_drafts_every_axis() -> None:
    postits = workshop()
    run = StreamedRun(Pipeline(HashingEmbedder(), ExtractiveDrafter()), postits, None)
    assert [d.name for d in run.drafts] == [c.axis.name for c in run.clustered] and len(run.drafts) == 3
    assert 0 < run.first_clusters <= run.first <= run.total and 0 < run.clustering <= run.total
    eager = Pipeline(HashingEmbedder(), ExtractiveDrafter()).run(postits).to_dict()["axes"]
    assert [d.to_dict() for d in run.drafts] == eager
