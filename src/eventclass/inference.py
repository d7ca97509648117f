"""Fast batched encoder inference, shared by fine-tuned and zero-shot modes.

Why a module of its own: every path that turns sentences into numbers
(``classify()``, article scoring, evaluation, zero-shot prototypes) goes
through :class:`EncoderRunner`, so speed work happens in one place:

* sentences are sorted by token length and packed into batches under a token
  budget, so padding is small and long sentences do not blow up memory;
* the tokenizer works on the next chunk in a background thread while the
  model runs the current one (fast tokenizers release the GIL);
* the model runs under ``torch.inference_mode`` in bf16 where the hardware has
  native bf16 (AMX / AVX512-BF16 CPUs, recent GPUs), else in fp32;
* on Linux CPUs, glibc is told to keep freed activation buffers for reuse
  (:func:`keep_freed_memory_for_reuse`).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import torch

log = logging.getLogger(__name__)

#: Padded tokens per forward pass. On a 2-core AVX-512/AMX CPU, 4k was the
#: fastest of 512-16k (smaller batches stay in cache); GPUs want more.
DEFAULT_TOKENS_PER_BATCH = 4_096
#: Upper bound on sentences per forward pass, whatever their length.
MAX_BATCH_SIZE = 256
#: Padded widths are rounded up to a multiple of this, and a batch's row count
#: is fixed per width (a short last batch is padded up to a power of two), so
#: tensor shapes repeat. oneDNN builds a kernel for every new shape, which on a
#: first pass over sorted batches halved bf16 CPU throughput (249 vs 502 sentences/s).
LENGTH_BUCKET = 16
#: Sentences tokenized per chunk; the next chunk is tokenized while the model runs.
TOKENIZE_CHUNK = 2_048
#: Characters kept before tokenizing. No tokenizer we support packs more than
#: this many characters per token, so cutting here never changes the result of
#: truncation, and a megabyte of text costs no more than a long sentence.
CHARS_PER_TOKEN_CAP = 32

PRECISIONS = ("auto", "bf16", "fp32")

#: Set to 0 to leave the C allocator's settings alone (see keep_freed_memory_for_reuse).
ENV_MALLOC_TUNING = "EVENTCLASS_MALLOC_TUNING"
#: Allocations below this come from the reusable heap instead of fresh mmap()s;
#: our largest activations (a 4k-token batch's feed-forward output) are ~25 MB.
MALLOC_MMAP_THRESHOLD = 256 << 20
#: Free heap memory is handed back to the OS only past this much.
MALLOC_TRIM_THRESHOLD = 512 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt() parameter numbers in glibc's malloc.h
_malloc_tuned = False


@lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """True when this CPU computes bf16 natively (AMX or AVX512-BF16).

    On CPUs without it, bf16 is emulated and slower than fp32, so ``auto``
    precision picks fp32 there.
    """
    try:
        if torch.ops.mkldnn._is_mkldnn_bf16_supported():
            flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
            return "amx_bf16" in flags or "avx512_bf16" in flags or not flags
    except (AttributeError, RuntimeError):
        pass
    return False


def keep_freed_memory_for_reuse() -> bool:
    """Stop glibc returning each freed activation buffer to the OS (once per process).

    Why: glibc serves blocks above its mmap threshold with mmap() and unmaps
    them on free (and trims the heap top), so every forward pass page-faults
    its multi-MB activations in afresh and the kernel zeroes them. On this
    2-core AMX CPU a bf16 linear+GELU on a 4k-token batch took 10.7 ms that
    way against 3.4 ms with the blocks kept; whole forward passes ran 1.3x
    and CPU training steps about 2x faster. Raising the mmap and trim
    thresholds keeps freed blocks in the heap for the next batch. The cost:
    the process holds on to its peak (a VOA scoring run's peak RSS went
    from about 640 to 670-700 MB). It is process-wide, like
    ``torch.set_num_threads``, so it is skipped on non-glibc systems and
    when ``$EVENTCLASS_MALLOC_TUNING=0``. Returns whether it is in effect.
    """
    global _malloc_tuned
    if _malloc_tuned:
        return True
    if not sys.platform.startswith("linux") or os.environ.get(ENV_MALLOC_TUNING, "1").strip() == "0":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        _malloc_tuned = bool(
            libc.mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD) and libc.mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD)
        )
    except (OSError, AttributeError):  # musl, or no libc.so.6
        return False
    log.debug("glibc malloc thresholds raised for inference: %s", _malloc_tuned)
    return _malloc_tuned


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``None`` or ``"auto"`` means CUDA when present, else CPU."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"device {device!r} is not a torch device (try 'cpu' or 'cuda')") from err


def resolve_dtype(precision: str, device: torch.device) -> torch.dtype:
    """Map ``auto``/``bf16``/``fp32`` to a dtype for ``device``.

    Example:
        >>> resolve_dtype("fp32", torch.device("cpu"))
        torch.float32
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "fp32":
        return torch.float32
    if device.type == "cuda":
        native = torch.cuda.is_bf16_supported()
    else:
        native = cpu_has_native_bf16()
    if precision == "bf16" and not native:
        log.warning("bf16 requested but %s has no native bf16; it will be slow", device)
    return torch.bfloat16 if (native or precision == "bf16") else torch.float32


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of token vectors over real (unpadded) tokens, L2-normalised."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def classification_logits(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Forward function for sequence-classification models: one logit per label."""
    return model(**batch).logits.float()


def sentence_embeddings(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Forward function for bare encoders: mean-pooled sentence embeddings."""
    return mean_pool(model(**batch).last_hidden_state, batch["attention_mask"])


class EncoderRunner:
    """Runs a transformers encoder over many texts quickly.

    Args:
        model: a loaded transformers model (moved to ``device``/``dtype`` here).
        tokenizer: its fast tokenizer.
        forward: ``forward(model, batch) -> Tensor[batch, k]``, e.g.
            :func:`classification_logits` or :func:`sentence_embeddings`.
        max_length: tokens kept per text (longer texts are truncated).
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ...
        precision: ``"auto"`` (bf16 where native), ``"bf16"`` or ``"fp32"``.
        tokens_per_batch: padded-token budget of one forward pass.

    Example:
        >>> runner = EncoderRunner(model, tokenizer, sentence_embeddings, max_length=128)
        >>> runner.run(["Drones hit the base."]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(
        self,
        model,
        tokenizer,
        forward: Callable,
        max_length: int,
        device: str | torch.device | None = None,
        precision: str = "auto",
        tokens_per_batch: int = DEFAULT_TOKENS_PER_BATCH,
    ):
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(precision, self.device)
        if self.device.type == "cpu":
            keep_freed_memory_for_reuse()
        self.model = model.to(device=self.device, dtype=self.dtype).eval()
        self.tokenizer = tokenizer
        self.forward = forward
        self.max_length = max_length
        self.tokens_per_batch = max(tokens_per_batch, max_length)
        self.on_truncate: Callable[[int], None] | None = None

    @property
    def precision(self) -> str:
        return "bf16" if self.dtype == torch.bfloat16 else "fp32"

    def tokenize(self, texts: Sequence[str]) -> tuple[list[list[int]], int]:
        """Token ids per text, truncated to ``max_length``; also how many were cut.

        Tokenizing to ``max_length + 1`` tells a truncated text from one that
        fits exactly; the cut keeps the closing special token.
        """
        cap = self.max_length * CHARS_PER_TOKEN_CAP
        clipped = [text[:cap] for text in texts]
        encoded = self.tokenizer(
            clipped, truncation=True, max_length=self.max_length + 1, add_special_tokens=True
        )["input_ids"]
        cut = 0
        for i, ids in enumerate(encoded):
            if len(ids) > self.max_length or len(texts[i]) > cap:
                cut += 1
            if len(ids) > self.max_length:
                encoded[i] = ids[: self.max_length - 1] + ids[-1:]
        return encoded, cut

    def _width(self, length: int) -> int:
        """Padded width for a sequence of ``length`` tokens (rounded up to the bucket)."""
        return min(-(-length // LENGTH_BUCKET) * LENGTH_BUCKET, self.max_length)

    def _rows(self, width: int) -> int:
        return max(1, min(MAX_BATCH_SIZE, self.tokens_per_batch // width))

    def _batches(self, ids: list[list[int]]) -> Iterator[tuple[int, list[int]]]:
        """``(width, indices)`` batches of ``ids``, longest first, one width per batch."""
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
        batch: list[int] = []
        width = 0
        for i in order:
            w = self._width(len(ids[i]))
            if batch and (w != width or len(batch) >= self._rows(width)):
                yield width, batch
                batch = []
            if not batch:
                width = w
            batch.append(i)
        if batch:
            yield width, batch

    def _run_tokenized(self, ids: list[list[int]]) -> np.ndarray:
        pad_id = self.tokenizer.pad_token_id or 0
        out: np.ndarray | None = None
        with torch.inference_mode():
            for width, batch in self._batches(ids):
                full = self._rows(width)
                rows = full if len(batch) > full // 2 else 1 << (len(batch) - 1).bit_length()
                input_ids = torch.full((rows, width), pad_id, dtype=torch.long)
                attention = torch.zeros((rows, width), dtype=torch.long)
                attention[len(batch):, 0] = 1  # dummy rows: one visible token, results dropped
                for row, i in enumerate(batch):
                    input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                    attention[row, : len(ids[i])] = 1
                tensors = {"input_ids": input_ids.to(self.device), "attention_mask": attention.to(self.device)}
                result = self.forward(self.model, tensors).float().cpu().numpy()[: len(batch)]
                if out is None:
                    out = np.empty((len(ids), result.shape[1]), dtype=np.float32)
                out[batch] = result
        return out if out is not None else np.empty((0, 0), dtype=np.float32)

    def run(self, texts: Sequence[str]) -> np.ndarray:
        """Model outputs for ``texts``, one row per text, in input order."""
        chunks = [texts[i : i + TOKENIZE_CHUNK] for i in range(0, len(texts), TOKENIZE_CHUNK)]
        if not chunks:
            return np.empty((0, 0), dtype=np.float32)
        results = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="eventclass-tokenize") as pool:
            pending = pool.submit(self.tokenize, chunks[0])
            for n in range(len(chunks)):
                ids, cut = pending.result()
                if n + 1 < len(chunks):
                    pending = pool.submit(self.tokenize, chunks[n + 1])
                if cut and self.on_truncate is not None:
                    self.on_truncate(cut)
                results.append(self._run_tokenized(ids))
        return np.concatenate(results, axis=0)
