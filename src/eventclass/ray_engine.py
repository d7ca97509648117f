"""Scoring on Ray Data, for corpora one machine cannot get through in time.

The same splitting and the same classifier as the local engine, spread over
a Ray cluster: ``flat_map`` splits articles into sentence rows, and
``map_batches`` runs a pool of model actors (one model load per actor, one GPU
each when the cluster has GPUs). Input: JSONL or Parquet (local paths, or
URIs the cluster can read such as ``s3://``); output: Parquet or JSONL,
written by the workers as a folder of part files.

Rows for bad input records are kept with their reason in the ``error``
column (empty for good rows) and also listed in ``OUT.errors.jsonl``. Unlike
the local engine, a Ray run does not resume: rerun it into a fresh folder.

Point it at a cluster with ``--ray-address ray://head:10001`` or
``RAY_ADDRESS``; the model folder must be readable at the same path on every
node (or pass an HF model id every node has cached).

Requires the ``ray`` extra: ``pip install -e ".[ray]"``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

from .errors import EventclassError
from .labels import LABELS
from .modeling import resolve_default_model
from .segment import split_sentences
from .sources import NO_SENTENCES, Article, record_to_article
from .writers import score_column

log = logging.getLogger(__name__)

#: Sentences per model call on an actor.
RAY_BATCH_SENTENCES = 1_024
SCORE_COLUMNS = [score_column(label) for label in LABELS]


def split_row(row: dict, id_field: str, text_field: str) -> list[dict]:
    """One article row -> sentence rows (or one error row), for ``flat_map``."""
    where = str(row.get(id_field, "?"))
    item = record_to_article(row, where, id_field, text_field)
    if not isinstance(item, Article):
        return [{"article_id": item.id or where, "sentence_index": -1, "start": 0, "end": 0, "sentence": "", "error": item.reason}]
    sentences = split_sentences(item.text)
    if not sentences:
        return [{"article_id": item.id, "sentence_index": -1, "start": 0, "end": 0, "sentence": "", "error": NO_SENTENCES}]
    return [
        {"article_id": item.id, "sentence_index": s.index, "start": s.start, "end": s.end, "sentence": s.text, "error": ""}
        for s in sentences
    ]


class SentenceScorer:
    """A Ray actor holding one loaded classifier; scores batches of sentence rows."""

    def __init__(self, model: str | None, precision: str = "auto"):
        from .classifier import EventClassifier

        self.classifier = EventClassifier.load(model, precision=precision) if model else EventClassifier.zero_shot(precision=precision)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(text) if not error else "" for text, error in zip(batch["sentence"], batch["error"])]
        scores = self.classifier.score(texts)
        predictions = self.classifier.predictions(texts, scores)
        batch["labels"] = np.array([";".join(p.labels) for p in predictions], dtype=object)
        for j, column in enumerate(SCORE_COLUMNS):
            batch[column] = scores[:, j].astype(np.float32)
        batch["model"] = np.array([self.classifier.model_path] * len(texts), dtype=object)
        batch["mode"] = np.array([self.classifier.mode] * len(texts), dtype=object)
        return batch


def _read(ray, inputs: list[str]):
    suffixes = {Path(str(i)).suffix.lower() for i in inputs}
    if suffixes <= {".parquet"}:
        return ray.data.read_parquet(inputs)
    if suffixes <= {".jsonl", ".json", ".ndjson"}:
        return ray.data.read_json(inputs)
    raise EventclassError(f"the ray engine reads .jsonl or .parquet inputs, got {sorted(suffixes)}")


def score_with_ray(
    inputs: list[str],
    out: str,
    *,
    model: str | None = None,
    zero_shot: bool = False,
    fmt: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    num_actors: int | None = None,
    address: str | None = None,
    precision: str = "auto",
    batch_size: int = RAY_BATCH_SENTENCES,
) -> dict:
    """Score articles on Ray Data and write sentence rows to ``out``.

    Args:
        model: a model folder or id every node can read; ``None`` resolves the
            default here on the driver (``$EVENTCLASS_MODEL``, ``models/default``),
            falling back to zero-shot.
        zero_shot: force zero-shot mode on every actor.
        num_actors: model actors; default one per GPU, else half the CPUs.
        address: Ray cluster address; default ``$RAY_ADDRESS`` or a local instance.

    Returns:
        ``{"sentences", "errors", "out", "actors"}``.

    Example:
        >>> score_with_ray(["news.jsonl"], "results.parquet")  # doctest: +SKIP
    """
    try:
        import ray
    except ImportError as err:
        raise EventclassError('the ray engine needs Ray: pip install -e ".[ray]"') from err

    if zero_shot:
        model = None
    elif model is None:
        model, _ = resolve_default_model()
    if model and Path(model).exists():
        model = str(Path(model).resolve())
    if not ray.is_initialized():
        ray.init(address=address or os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False)
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    actors = num_actors or gpus or max(1, int(resources.get("CPU", 2)) // 2)
    fmt = fmt or ("jsonl" if str(out).endswith((".jsonl", ".json")) else "parquet")
    log.info("ray: %d actor(s), %d GPU(s), model %s", actors, gpus, model or "zero-shot")

    dataset = _read(ray, [str(i) for i in inputs]).flat_map(split_row, fn_kwargs={"id_field": id_field, "text_field": text_field})
    scored = dataset.map_batches(
        SentenceScorer,
        fn_constructor_kwargs={"model": model, "precision": precision},
        batch_size=batch_size,
        concurrency=actors,
        num_gpus=1 if gpus else 0,
        batch_format="numpy",
    )
    if fmt == "jsonl":
        scored.write_json(out)
        written = ray.data.read_json(out)
    else:
        scored.write_parquet(out)
        written = ray.data.read_parquet(out)
    errors = written.filter(lambda row: bool(row["error"])).select_columns(["article_id", "error"]).take_all()
    errors_path = Path(str(out).rstrip("/") + ".errors.jsonl")
    if errors:
        with open(errors_path, "w", encoding="utf-8") as handle:
            for row in errors:
                handle.write(json.dumps({"id": row["article_id"], "reason": row["error"]}) + "\n")
    return {"sentences": written.count() - len(errors), "errors": len(errors), "out": str(out), "actors": actors}
