"""`EventClassifier` and `classify()`: the library's front door.

One classifier type serves both modes. In fine-tuned mode a sequence
classification head gives one sigmoid score per label; in zero-shot mode the
bundled encoder (or a user-named NLI model) scores the codebook. Either way the
caller gets :class:`Prediction` objects and the same call shape: a string in,
one prediction out; a list in, a list out.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.special import expit

from .errors import ModelLoadError
from .inference import DEFAULT_TOKENS_PER_BATCH, EncoderRunner, classification_logits, sentence_embeddings
from .labels import LABELS
from .modeling import (
    UNCALIBRATED_THRESHOLD,
    ModelMetadata,
    METADATA_FILE,
    bundled_encoder_path,
    check_model_folder,
    read_label_columns,
    resolve_default_model,
)
from .prediction import Prediction
from .zeroshot import NliScorer, PrototypeScorer

log = logging.getLogger(__name__)

ENV_ZEROSHOT_MODEL = "EVENTCLASS_ZEROSHOT_MODEL"
#: Tokens per sentence in zero-shot mode; a sentence rarely needs more.
ZERO_SHOT_MAX_LENGTH = 128
FINE_TUNED = "fine-tuned"
ZERO_SHOT = "zero-shot"


def check_texts(texts: object) -> tuple[list[str], bool]:
    """Validate classifier input: ``(texts as a list, was a single string)``.

    Raises:
        TypeError: naming the bad type, and the index for lists.
    """
    if isinstance(texts, str):
        return [texts], True
    if not isinstance(texts, (list, tuple)):
        raise TypeError(f"classify() takes a str or a list/tuple of str, not {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"classify() input at index {i} is {type(text).__name__}, not str")
    return list(texts), False


class EventClassifier:
    """Says which codebook events news sentences report.

    Build one with :meth:`load` (fine-tuned weights, or zero-shot when there
    are none) or :meth:`zero_shot`; then call :meth:`classify` or the object
    itself. Calls are thread-safe.

    Attributes:
        mode: ``"fine-tuned"`` or ``"zero-shot"``.
        model_path: the folder or model id in use.
        thresholds: per-label decision thresholds.

    Example:
        >>> clf = EventClassifier.load()
        >>> clf("Rockets struck the US embassy in Baghdad on Friday.").label  # doctest: +SKIP
        'attack'
    """

    def __init__(self, *, mode, model_path, thresholds, score_texts, describe, runner=None):
        self.mode = mode
        self.model_path = model_path
        self.thresholds = dict(thresholds)
        self._score_texts = score_texts
        self._describe = describe
        self.runner = runner
        self._lock = threading.RLock()
        self._warned_truncation = False
        if runner is not None:
            runner.on_truncate = self._warn_truncation

    # construction -------------------------------------------------------

    @classmethod
    def load(
        cls,
        model: str | os.PathLike | None = None,
        *,
        device: str | None = None,
        precision: str = "auto",
        tokens_per_batch: int = DEFAULT_TOKENS_PER_BATCH,
    ) -> EventClassifier:
        """Load a fine-tuned model, or fall back to zero-shot when there is none.

        Args:
            model: a fine-tuned folder (``models/default``) or any HF model id
                or path whose labels are the five. ``None`` resolves
                ``$EVENTCLASS_MODEL``, then ``models/default`` (see
                :mod:`eventclass.modeling`), then zero-shot.
            device: ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"``.
            precision: ``"auto"`` (bf16 where the hardware has it), ``"bf16"``, ``"fp32"``.
            tokens_per_batch: padded tokens per forward pass.

        Raises:
            ModelLoadError: the folder exists but is broken (no weights,
                unreadable config, labels that are not the five).

        Example:
            >>> clf = EventClassifier.load("models/default")  # doctest: +SKIP
        """
        options = dict(device=device, precision=precision, tokens_per_batch=tokens_per_batch)
        if model is None:
            model, reason = resolve_default_model()
            if model is None:
                log.info("eventclass: %s; using zero-shot mode", reason)
                return cls.zero_shot(**options)
            log.info("eventclass: loading %s (%s)", model, reason)
        return cls._load_fine_tuned(str(model), **options)

    @classmethod
    def _load_fine_tuned(cls, model: str, *, device, precision, tokens_per_batch) -> EventClassifier:
        from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

        folder = Path(model)
        if folder.exists():
            check_model_folder(folder)
        try:
            config = AutoConfig.from_pretrained(model)
        except (OSError, ValueError) as err:
            raise ModelLoadError(
                f"cannot load model {model!r}: {err}. Pass a fine-tuned folder or a model id in the "
                "local Hugging Face cache (no hub downloads happen offline)"
            ) from err
        columns = read_label_columns(config, model)
        if (folder / METADATA_FILE).is_file():
            meta = ModelMetadata.read(folder)
            thresholds, max_length = meta.thresholds, meta.max_length
        else:
            log.warning("%s has no %s: using threshold %.2f for every label", model, METADATA_FILE, UNCALIBRATED_THRESHOLD)
            thresholds = dict.fromkeys(LABELS, UNCALIBRATED_THRESHOLD)
            max_length = min(getattr(config, "max_position_embeddings", 512), 512)
        try:
            tokenizer = AutoTokenizer.from_pretrained(model)
            network = AutoModelForSequenceClassification.from_pretrained(model)
        except (OSError, ValueError, RuntimeError) as err:
            raise ModelLoadError(f"cannot load the weights or tokenizer of {model!r}: {err}") from err
        runner = EncoderRunner(
            network, tokenizer, classification_logits, max_length,
            device=device, precision=precision, tokens_per_batch=tokens_per_batch,
        )

        def score_texts(texts: list[str]) -> np.ndarray:
            return expit(runner.run(texts)[:, columns])

        describe = {"method": "sequence classification", "max_length": max_length, "precision": runner.precision, "device": str(runner.device)}
        log.info("eventclass: fine-tuned mode, model %s (%s, %s)", model, runner.device, runner.precision)
        return cls(mode=FINE_TUNED, model_path=model, thresholds=thresholds, score_texts=score_texts, describe=describe, runner=runner)

    @classmethod
    def zero_shot(
        cls,
        encoder: str | None = None,
        *,
        nli_model: str | None = None,
        device: str | None = None,
        precision: str = "auto",
        tokens_per_batch: int = DEFAULT_TOKENS_PER_BATCH,
    ) -> EventClassifier:
        """A zero-shot classifier: no fine-tuned weights needed.

        Args:
            encoder: sentence encoder for prototype scoring (default: the
                bundled all-MiniLM-L6-v2, fully offline).
            nli_model: an NLI model id or path; when given (or set in
                ``$EVENTCLASS_ZEROSHOT_MODEL``) the transformers zero-shot
                pipeline scores the codebook hypotheses instead.

        Example:
            >>> EventClassifier.zero_shot().mode
            'zero-shot'
        """
        nli_model = nli_model or os.environ.get(ENV_ZEROSHOT_MODEL, "").strip() or None
        if nli_model:
            scorer = NliScorer(nli_model, device=device)
            log.info("eventclass: zero-shot mode, NLI model %s", nli_model)
            describe = {"method": "nli", "entailment_id": scorer.entailment_id}
            return cls(mode=ZERO_SHOT, model_path=nli_model, thresholds=scorer.thresholds, score_texts=scorer.scores, describe=describe)

        from transformers import AutoModel, AutoTokenizer

        encoder = encoder or bundled_encoder_path()
        try:
            tokenizer = AutoTokenizer.from_pretrained(encoder)
            network = AutoModel.from_pretrained(encoder)
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"cannot load zero-shot encoder {encoder!r}: {err}") from err
        runner = EncoderRunner(
            network, tokenizer, sentence_embeddings, ZERO_SHOT_MAX_LENGTH,
            device=device, precision=precision, tokens_per_batch=tokens_per_batch,
        )
        scorer = PrototypeScorer(runner.run)

        def score_texts(texts: list[str]) -> np.ndarray:
            return scorer.scores(runner.run(texts))

        describe = {"method": "prototypes", "max_length": ZERO_SHOT_MAX_LENGTH, "precision": runner.precision, "device": str(runner.device)}
        log.info("eventclass: zero-shot mode, encoder %s (%s, %s)", encoder, runner.device, runner.precision)
        return cls(mode=ZERO_SHOT, model_path=encoder, thresholds=scorer.thresholds, score_texts=score_texts, describe=describe, runner=runner)

    # use ----------------------------------------------------------------

    def _warn_truncation(self, count: int) -> None:
        if not self._warned_truncation:
            self._warned_truncation = True
            log.warning(
                "eventclass: %d text(s) longer than the model's %d-token window were truncated (only their start "
                "is scored); the model reads sentences - score_articles() / `eventclass score` split articles for you",
                count,
                self.runner.max_length if self.runner is not None else 0,
            )

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Raw scores, shape (n, 5) in :data:`LABELS` order; empty texts score 0."""
        texts = list(texts)
        result = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        keep = [i for i, text in enumerate(texts) if text.strip()]
        if keep:
            with self._lock:
                result[keep] = self._score_texts([texts[i] for i in keep])
        return result

    def predictions(self, texts: Sequence[str], scores: np.ndarray) -> list[Prediction]:
        """Turn a score matrix into :class:`Prediction` objects."""
        return [
            Prediction.from_scores(dict(zip(LABELS, map(float, row))), self.thresholds, self.mode, text)
            if text.strip() else Prediction.empty(self.mode, text)
            for text, row in zip(texts, scores)
        ]

    def classify(self, texts: str | Sequence[str], batch_size: int | None = None) -> Prediction | list[Prediction]:
        """Classify one sentence or a list of them.

        Args:
            texts: a ``str`` (returns one :class:`Prediction`) or a list/tuple
                of ``str`` (returns a list, same order).
            batch_size: sentences handed to the model at a time; by default
                the whole list (the engine batches by a token budget).

        Raises:
            TypeError: input that is not a str or a list of str.

        Example:
            >>> clf.classify(["Drones hit the base.", "It rained."])  # doctest: +SKIP
        """
        items, single = check_texts(texts)
        step = batch_size if batch_size and batch_size > 0 else max(len(items), 1)
        predictions: list[Prediction] = []
        for start in range(0, len(items), step):
            chunk = items[start : start + step]
            predictions.extend(self.predictions(chunk, self.score(chunk)))
        return predictions[0] if single else predictions

    __call__ = classify

    def info(self) -> dict:
        """What this classifier is: mode, model, labels, thresholds, runtime."""
        return {"mode": self.mode, "model_path": self.model_path, "labels": list(LABELS), "thresholds": self.thresholds, **self._describe}

    def __repr__(self) -> str:
        return f"EventClassifier(mode={self.mode!r}, model_path={self.model_path!r})"


_default: EventClassifier | None = None
_default_lock = threading.Lock()


def default_classifier() -> EventClassifier:
    """The process-wide classifier behind :func:`classify`, loaded once, lazily."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = EventClassifier.load()
    return _default


def reset_default_classifier() -> None:
    """Forget the process-wide classifier, e.g. after training a new default model."""
    global _default
    with _default_lock:
        _default = None


def classify(texts: str | Sequence[str], batch_size: int | None = None) -> Prediction | list[Prediction]:
    """Classify sentences with the default classifier (see :meth:`EventClassifier.load`).

    Example:
        >>> from eventclass import classify
        >>> classify("Rockets struck the US embassy in Baghdad on Friday.").labels  # doctest: +SKIP
        ('attack',)
    """
    return default_classifier().classify(texts, batch_size=batch_size)
