"""Batch scoring on real files with the real zero-shot model."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from eventclass import LABELS
from eventclass.scoring import run_scoring, score_articles

from .conftest import voa_file

ARTICLES = [
    {"id": "a1", "text": "Rockets struck the U.S. embassy in Baghdad on Friday. Nobody was hurt. The State Dept. condemned the attack."},
    {"id": "a2", "text": "The Treasury imposed sanctions on six shipping firms. Officials said more could follow."},
    {"id": "a3", "text": "Heavy rain fell on the capital. Schools were closed on Monday."},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_score_articles_is_lazy_and_offsets_slice_the_text(zero_shot):
    consumed = []

    def generate():
        for article in ARTICLES:
            consumed.append(article["id"])
            yield article

    records = score_articles(generate(), zero_shot, chunk_sentences=1)
    first = next(records)
    assert consumed and len(consumed) < len(ARTICLES) + 1
    rest = [first, *records]
    texts = {a["id"]: a["text"] for a in ARTICLES}
    assert [r["article_id"] for r in rest] == ["a1"] * 3 + ["a2"] * 2 + ["a3"] * 2
    for r in rest:
        assert texts[r["article_id"]][r["start"] : r["end"]] == r["sentence"]
        assert set(r["scores"]) == set(LABELS) and r["mode"] == "zero-shot"
    assert "attack" in rest[0]["labels"] and "sanction" in rest[3]["labels"]
    assert rest[5]["labels"] == []


def test_plain_strings_summary_and_events_only(zero_shot):
    summaries = list(score_articles([a["text"] for a in ARTICLES], zero_shot, summary=True))
    assert [s["article_id"] for s in summaries] == ["article 0", "article 1", "article 2"]
    assert summaries[0]["sentences"] == 3 and "attack" in summaries[0]["labels"]
    assert summaries[0]["best"]["attack"]["sentence_index"] == 0
    assert summaries[2]["labels"] == [] and summaries[2]["best"] == {}
    events = list(score_articles(ARTICLES, zero_shot, events_only=True))
    assert events and all(r["labels"] for r in events)


def test_bad_records_are_reported_and_skipped(zero_shot):
    bad = []
    rows = [{"id": "x", "body": "no text field"}, {"id": "y", "text": 42}, {"id": "z", "text": "  "}, ARTICLES[0], 7]
    records = list(score_articles(rows, zero_shot, on_error=bad.append))
    assert {r["article_id"] for r in records} == {"a1"}
    reasons = [b.reason for b in bad]
    assert "missing text field" in reasons[0] and "int, not a string" in reasons[1]
    assert reasons[2] == "empty article" and "got int" in reasons[3]


def test_every_input_format_gives_the_same_results(zero_shot, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "txt"
    folder.mkdir()
    for article in ARTICLES:
        (folder / f"{article['id']}.txt").write_text(article["text"])
    with open(tmp_path / "in.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["doc", "body"])
        writer.writeheader()
        writer.writerows({"doc": a["id"], "body": a["text"]} for a in ARTICLES)
    pq.write_table(pa.Table.from_pylist(ARTICLES), tmp_path / "in.parquet")
    write_jsonl(tmp_path / "in.jsonl", ARTICLES)

    def labels_of(out, **options):
        run_scoring(options.pop("inputs"), str(out), classifier=zero_shot, progress=False, **options)
        return [(r["article_id"].removesuffix(".txt"), r["sentence_index"], r["labels"]) for r in read_jsonl(out)]

    expected = labels_of(tmp_path / "o1.jsonl", inputs=[str(tmp_path / "in.jsonl")])
    assert labels_of(tmp_path / "o2.jsonl", inputs=[str(folder)]) == expected
    assert labels_of(tmp_path / "o3.jsonl", inputs=[str(tmp_path / "in.csv")], id_field="doc", text_field="body") == expected
    assert labels_of(tmp_path / "o4.jsonl", inputs=[str(tmp_path / "in.parquet")]) == expected
    assert labels_of(tmp_path / "o5.jsonl", inputs=[str(folder / "a1.txt")]) == expected[:3]


def test_csv_and_parquet_outputs(zero_shot, tmp_path):
    import pyarrow.parquet as pq

    source = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    run_scoring([str(source)], str(tmp_path / "out.csv"), classifier=zero_shot, progress=False)
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    assert len(rows) == 7 and "score_diplomatic_message" in rows[0] and "attack" in rows[0]["labels"].split(";")
    summarised = run_scoring([str(source)], str(tmp_path / "out.parquet"), classifier=zero_shot, progress=False, summary=True)
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [row["article_id"] for row in table] == ["a1", "a2", "a3"] and table[0]["count_attack"] >= 1
    events = run_scoring([str(source)], str(tmp_path / "events.jsonl"), classifier=zero_shot, progress=False, events_only=True)
    assert len(read_jsonl(tmp_path / "events.jsonl")) < 7  # unlabelled sentences left out of the file ...
    assert summarised.sentences == events.sentences == 7  # ... but every scored sentence is counted


def test_rerun_resumes_without_duplicates_and_reports_bad_records(zero_shot, tmp_path):
    rows = [*ARTICLES, {"id": "bad", "text": None}, {"id": "a1", "text": "A duplicate id."}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    with open(source, "ab") as handle:
        handle.write(b'{"id": "bytes", "text": "\xff\xfe broken"}\n')
    out = tmp_path / "out.jsonl"
    first = run_scoring([str(source)], str(out), classifier=zero_shot, progress=False)
    assert (first.articles, first.skipped) == (3, 3)
    errors = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert [e["reason"].split(" ")[0] for e in errors] == ["text", "duplicate", "undecodable"]
    again = run_scoring([str(source)], str(out), classifier=zero_shot, progress=False)
    assert (again.articles, again.skipped, again.resumed) == (0, 0, 6)
    assert len(read_jsonl(out)) == 7


def test_output_that_was_not_written_by_a_resumable_run_is_not_clobbered(zero_shot, tmp_path):
    from eventclass import EventclassError

    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(EventclassError, match="--overwrite"):
        run_scoring([str(write_jsonl(tmp_path / "in.jsonl", ARTICLES))], str(out), classifier=zero_shot, progress=False)
    assert out.read_text() == "precious\n"


def score_cli(args, **kwargs):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("EVENTCLASS_MODEL", None)
    return subprocess.Popen([sys.executable, "-m", "eventclass", "score", "--zero-shot", *args], env=env, **kwargs)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_kill_minus_nine_mid_run_then_resume_gives_every_sentence_once(tmp_path, fmt):
    import pyarrow.parquet as pq

    stories = [json.loads(line) for line in open(voa_file("voa_stories.jsonl"))]
    articles = [{"id": s["id"], "text": s["text"]} for s in stories]
    source = write_jsonl(tmp_path / "in.jsonl", articles)
    out = tmp_path / f"out.{fmt}"

    def rows():
        if fmt == "jsonl":
            return read_jsonl(out) if out.exists() else []
        parts = sorted(out.glob("part-*.parquet")) if out.exists() else []
        return [row for part in parts for row in pq.read_table(part).to_pylist()]

    args = [str(source), "--out", str(out), "--quiet", "--threads", "1"]
    if fmt == "parquet":
        args += ["--format", "parquet", "--parquet-part-rows", "200"]  # parts commit in bulk; kill lands between parts
    process = score_cli(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    progress = out.with_name(out.name + ".progress") if fmt == "jsonl" else out / "_progress.jsonl"
    while time.time() < deadline and process.poll() is None:
        if progress.exists() and progress.read_text().count("\n") >= 20:
            break
        time.sleep(0.2)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = len(rows())
    resumed = score_cli(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    final = rows()
    keys = [(r["article_id"], r["sentence_index"]) for r in final]
    assert len(keys) == len(set(keys)), "a sentence was written twice"
    from eventclass.segment import split_sentences

    expected = {(a["id"], s.index) for a in articles for s in split_sentences(a["text"])}
    assert set(keys) == expected, "a sentence is missing"
    assert 0 <= partial < len(final)


def test_ctrl_c_stops_cleanly_and_the_rerun_completes(tmp_path):
    stories = [json.loads(line) for line in open(voa_file("voa_stories.jsonl"))]
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": s["id"], "text": s["text"]} for s in stories])
    out = tmp_path / "out.jsonl"
    process = score_cli([str(source), "--out", str(out), "--quiet", "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    progress = tmp_path / "out.jsonl.progress"
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None and not (progress.exists() and progress.read_text().count("\n") >= 5):
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and "Traceback" not in stderr
    assert all(line.endswith("}") for line in out.read_text().splitlines())
    rerun = score_cli([str(source), "--out", str(out), "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rerun.communicate(timeout=600)
    assert rerun.returncode == 0
    assert {r["article_id"] for r in read_jsonl(out)} == {s["id"] for s in stories}


def test_bad_record_gives_exit_status_3_and_errors_file(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [ARTICLES[0], {"id": "b", "headline": "no text"}])
    process = score_cli([str(source), "--out", str(tmp_path / "o.jsonl"), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 3
    assert "1 record(s) skipped" in stderr
    assert read_jsonl(tmp_path / "o.jsonl.errors.jsonl")[0]["record"].endswith("in.jsonl:2")


def test_stdin_input(tmp_path):
    process = score_cli(["-", "--out", str(tmp_path / "o.jsonl"), "--quiet"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, stderr = process.communicate("".join(json.dumps(a) + "\n" for a in ARTICLES), timeout=300)
    assert process.returncode == 0, stderr
    assert len(read_jsonl(tmp_path / "o.jsonl")) == 7


def test_memory_stays_flat_on_a_long_sentence_stream():
    """300,000 sentences in 30,000 articles from a generator; peak memory must not grow with the stream.

    The classifier is the real EventClassifier wrapper around a constant
    scorer: this checks the pipeline's buffering (reading, splitting, chunking,
    yielding), not the model. benchmarks/bench_memory.py runs the same check on
    1,000,000 sentences with the real model.
    """
    import resource

    import numpy as np

    from eventclass import EventClassifier

    cheap = EventClassifier(mode="zero-shot", model_path="constant", thresholds=dict.fromkeys(LABELS, 0.5),
                            score_texts=lambda texts: np.full((len(texts), 5), 0.1, dtype="float32"), describe={})
    article = " ".join(f"Sentence number {k} is here." for k in range(10))
    stream = ({"id": str(n), "text": article} for n in range(30_000))
    seen, before = 0, None
    for seen, _ in enumerate(score_articles(stream, cheap), start=1):
        if seen == 50_000:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert seen == 300_000
    assert after - before < 100_000, f"peak memory grew by {(after - before) / 1024:.0f} MB over 250,000 sentences"
