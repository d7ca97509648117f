"""Batch scoring of articles: split into sentences, score, yield results lazily.

Articles flow through a bounded pipeline: a background thread splits the
next articles into sentences (pysbd is pure Python) while the model scores
the current chunk (torch releases the GIL), and at most about
``chunk_sentences`` sentences are held at once, so memory stays flat however
long the stream is. The classifier's engine sorts each chunk by length and
packs it under a token budget.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .classifier import EventClassifier, default_classifier
from .labels import LABELS
from .segment import Sentence, split_sentences
from .sources import NO_SENTENCES, Article, BadRecord, record_to_article

log = logging.getLogger(__name__)

#: Sentences scored together; bounds memory and keeps batches full.
DEFAULT_CHUNK_SENTENCES = 2_048
#: Split articles waiting for the model; the splitter thread blocks past this.
QUEUE_ARTICLES = 256


@dataclass
class ScoredArticle:
    """One article's results: its sentence records, or a summary record."""

    id: str
    records: list[dict]
    sentences: int  # sentences scored, whatever ``records`` keeps (summary, events only)


def _as_articles(items: Iterable[object], id_field: str, text_field: str) -> Iterator[Article | BadRecord]:
    for number, item in enumerate(items):
        if isinstance(item, (Article, BadRecord)):
            yield item
        else:
            yield record_to_article(item, f"article {number}", id_field, text_field)


def _split_in_background(items: Iterator[Article | BadRecord]) -> Iterator[tuple[Article | BadRecord, list[Sentence]]]:
    """Split articles in a worker thread, at most QUEUE_ARTICLES ahead of the consumer."""
    done = object()
    channel: queue.Queue = queue.Queue(maxsize=QUEUE_ARTICLES)
    stop = threading.Event()

    def work():
        try:
            for item in items:
                if stop.is_set():
                    return
                sentences = split_sentences(item.text) if isinstance(item, Article) else []
                channel.put((item, sentences))
            channel.put(done)
        except BaseException as err:  # hand the failure to the consumer
            channel.put(err)

    worker = threading.Thread(target=work, name="eventclass-split", daemon=True)
    worker.start()
    try:
        while True:
            got = channel.get()
            if got is done:
                return
            if isinstance(got, BaseException):
                raise got
            yield got
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting on a full queue
            try:
                channel.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


def sentence_record(article: Article, sentence: Sentence, scores: dict[str, float], labels: tuple[str, ...], classifier: EventClassifier) -> dict:
    """The output record of one sentence (see the README's output format)."""
    return {
        "article_id": article.id,
        "sentence_index": sentence.index,
        "start": sentence.start,
        "end": sentence.end,
        "sentence": sentence.text,
        "labels": list(labels),
        "scores": {label: round(score, 6) for label, score in scores.items()},
        "model": classifier.model_path,
        "mode": classifier.mode,
    }


def summary_record(article: Article, records: list[dict], classifier: EventClassifier) -> dict:
    """One record per article: labels present, counts, best sentence per label."""
    counts = {label: sum(label in r["labels"] for r in records) for label in LABELS}
    best = {}
    for label in LABELS:
        carrying = [r for r in records if label in r["labels"]]
        if carrying:
            top = max(carrying, key=lambda r: r["scores"][label])
            best[label] = {"sentence_index": top["sentence_index"], "sentence": top["sentence"], "score": top["scores"][label]}
    return {
        "article_id": article.id,
        "sentences": len(records),
        "labels": [label for label in LABELS if counts[label]],
        "counts": counts,
        "best": best,
        "model": classifier.model_path,
        "mode": classifier.mode,
    }


def score_article_groups(
    articles: Iterable[object],
    classifier: EventClassifier | None = None,
    *,
    id_field: str = "id",
    text_field: str = "text",
    summary: bool = False,
    events_only: bool = False,
    chunk_sentences: int = DEFAULT_CHUNK_SENTENCES,
    on_error: Callable[[BadRecord], None] | None = None,
) -> Iterator[ScoredArticle]:
    """Like :func:`score_articles`, but one :class:`ScoredArticle` per input article, in input order.

    Writers use this form to commit whole articles at a time.
    """
    classifier = classifier or default_classifier()
    report = on_error or (lambda bad: log.warning("skipped %s: %s", bad.where, bad.reason))
    pending: list[tuple[Article, list[Sentence]]] = []
    pending_sentences = 0

    def flush() -> Iterator[ScoredArticle]:
        texts = [s.text for _, sentences in pending for s in sentences]
        predictions = classifier.predictions(texts, classifier.score(texts))
        position = 0
        for article, sentences in pending:
            records = []
            for sentence in sentences:
                p = predictions[position]
                position += 1
                records.append(sentence_record(article, sentence, p.scores, p.labels, classifier))
            if summary:
                kept = [summary_record(article, records, classifier)]
            else:
                kept = [r for r in records if r["labels"]] if events_only else records
            yield ScoredArticle(article.id, kept, len(sentences))

    for item, sentences in _split_in_background(_as_articles(articles, id_field, text_field)):
        if isinstance(item, BadRecord):
            report(item)
            continue
        if not sentences:
            report(BadRecord(item.where, NO_SENTENCES, item.id))
            continue
        pending.append((item, sentences))
        pending_sentences += len(sentences)
        if pending_sentences >= chunk_sentences:
            yield from flush()
            pending, pending_sentences = [], 0
    if pending:
        yield from flush()


def score_articles(articles: Iterable[object], classifier: EventClassifier | None = None, **options) -> Iterator[dict]:
    """Score articles sentence by sentence, yielding results lazily.

    Args:
        articles: an iterable (a generator is fine) of strings, or dicts with
            ``id_field`` and ``text_field``.
        classifier: defaults to the process-wide classifier behind ``classify()``.
        id_field, text_field: keys of dict articles (defaults ``id``, ``text``).
        summary: one record per article instead of one per sentence.
        events_only: leave out sentences that carry no label.
        chunk_sentences: sentences scored together (bounds memory).
        on_error: called with a :class:`BadRecord` for each skipped article
            (default: a logged warning).

    Yields:
        Per sentence: ``article_id``, ``sentence_index``, ``start``, ``end``
        (character offsets into the article text), ``sentence``, ``labels``,
        ``scores``, ``model``, ``mode``. With ``summary``: ``article_id``,
        ``sentences``, ``labels``, ``counts``, ``best``, ``model``, ``mode``.

    Example:
        >>> articles = ({"id": n, "text": text} for n, text in enumerate(corpus))  # doctest: +SKIP
        >>> for record in score_articles(articles, events_only=True):  # doctest: +SKIP
        ...     print(record["article_id"], record["labels"], record["sentence"])
    """
    for group in score_article_groups(articles, classifier, **options):
        yield from group.records


@dataclass
class RunStats:
    """What a scoring run did."""

    articles: int = 0
    sentences: int = 0
    skipped: int = 0
    resumed: int = 0
    seconds: float = 0.0


def run_scoring(
    inputs: list[str],
    out: str,
    *,
    classifier: EventClassifier | None = None,
    fmt: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    summary: bool = False,
    events_only: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    chunk_sentences: int = DEFAULT_CHUNK_SENTENCES,
    parquet_part_rows: int | None = None,
) -> RunStats:
    """Score article files into a result file, resuming where a previous run stopped.

    See :mod:`eventclass.writers` for the guarantees on interruption and
    :func:`score_articles` for the record format.

    Example:
        >>> stats = run_scoring(["news.jsonl"], "results.jsonl")  # doctest: +SKIP
        >>> stats.skipped  # doctest: +SKIP
        0
    """
    import time

    from tqdm.auto import tqdm

    from .sources import count_records, read_articles
    from .writers import PARQUET_PART_ROWS, ResultWriter, format_for

    started = time.time()
    stats = RunStats()
    classifier = classifier or default_classifier()
    writer = ResultWriter(out, format_for(out, fmt), overwrite=overwrite, part_rows=parquet_part_rows or PARQUET_PART_ROWS)
    stats.resumed = len(writer.done)
    total = count_records(inputs) if progress else None
    bar = tqdm(total=total, initial=min(stats.resumed, total or stats.resumed), unit=" articles", disable=not progress, dynamic_ncols=True)
    seen: set[str] = set()

    def report(bad: BadRecord) -> None:
        stats.skipped += 1
        bar.update(1)
        writer.write_error(bad.where, bad.reason, bad.id)

    def todo() -> Iterator[Article | BadRecord]:
        # runs in the splitter thread: it only filters, all reporting happens in this thread via on_error
        for item in read_articles(inputs, id_field, text_field):
            key = item.id or item.where
            if key in writer.done:
                continue
            if key in seen:
                yield BadRecord(item.where, f"duplicate article id {key!r}; ids must be unique to resume safely")
                continue
            seen.add(key)
            yield item

    try:
        for group in score_article_groups(
            todo(), classifier, summary=summary, events_only=events_only, chunk_sentences=chunk_sentences, on_error=report
        ):
            writer.write_article(group.id, group.records)
            stats.articles += 1
            stats.sentences += group.sentences
            bar.update(1)
            elapsed = max(time.time() - started, 1e-9)
            bar.set_postfix_str(f"{stats.sentences / elapsed:.0f} sentences/s", refresh=False)
    finally:
        writer.close()
        bar.close()
        stats.seconds = time.time() - started
    return stats
