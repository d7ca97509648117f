"""The Ray engine on a local Ray instance gives the local engine's labels."""

from __future__ import annotations

import json

import pytest

from eventclass.scoring import score_articles

from .conftest import voa_file

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    ray.shutdown()


@pytest.mark.slow
def test_ray_engine_matches_the_local_engine(local_ray, tmp_path, zero_shot):
    import pyarrow.parquet as pq

    from eventclass.ray_engine import score_with_ray

    stories = [json.loads(line) for line in open(voa_file("voa_stories.jsonl"))][:6]
    rows = [{"id": s["id"], "text": s["text"]} for s in stories] + [{"id": "broken", "text": None}]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.parquet"
    result = score_with_ray([str(source)], str(out), zero_shot=True, num_actors=1, precision="fp32")
    assert result["errors"] == 1 and result["actors"] == 1
    table = [r for r in pq.read_table(out).to_pylist() if not r["error"]]
    ray_labels = {(r["article_id"], r["sentence_index"]): tuple(filter(None, r["labels"].split(";"))) for r in table}
    local = {(r["article_id"], r["sentence_index"]): tuple(r["labels"]) for r in score_articles(rows[:-1], zero_shot)}
    assert ray_labels == local
    assert json.loads((tmp_path / "out.parquet.errors.jsonl").read_text())["id"] == "broken"
