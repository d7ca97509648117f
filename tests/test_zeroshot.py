"""NLI zero-shot wiring and the offline prototype scorer."""

from __future__ import annotations

import numpy as np
import pytest

from eventclass import LABELS, EventClassifier, ModelLoadError
from eventclass.modeling import bundled_encoder_path


def tiny_nli_model(folder, id2label):
    """Build and save a tiny, randomly initialised BERT with an NLI-shaped head.

    No NLI weights exist offline here, so this checks the wiring only (the
    pipeline call, the entailment id read from the config, the score shape),
    not the quality of NLI zero-shot. The bundled encoder's tokenizer is reused.
    """
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(bundled_encoder_path()).save_pretrained(folder)
    return str(folder)


def test_nli_zero_shot_reads_the_entailment_id_from_the_config(tmp_path):
    # entailment deliberately first, not in the usual last position
    path = tiny_nli_model(tmp_path / "nli", {0: "ENTAILMENT", 1: "neutral", 2: "contradiction"})
    clf = EventClassifier.zero_shot(nli_model=path)
    assert clf.mode == "zero-shot" and clf.info()["method"] == "nli"
    assert clf.info()["entailment_id"] == 0
    predictions = clf.classify(["Drones hit the base.", "It rained."])
    for p in predictions:
        assert set(p.scores) == set(LABELS)
        assert all(0.0 <= s <= 1.0 for s in p.scores.values())


def test_nli_model_named_in_the_environment_is_used(tmp_path, monkeypatch):
    path = tiny_nli_model(tmp_path / "nli", {0: "contradiction", 1: "neutral", 2: "entailment"})
    monkeypatch.setenv("EVENTCLASS_ZEROSHOT_MODEL", path)
    clf = EventClassifier.zero_shot()
    assert clf.model_path == path and clf.info()["entailment_id"] == 2


def test_a_model_without_entailment_label_is_refused(tmp_path):
    path = tiny_nli_model(tmp_path / "notnli", {0: "positive", 1: "negative"})
    with pytest.raises(ModelLoadError, match="not an NLI model"):
        EventClassifier.zero_shot(nli_model=path)


def test_prototype_scores_are_calibrated_probabilities(zero_shot):
    scores = zero_shot.score(["Drones hit the base.", "The weather was fine."])
    assert scores.shape == (2, len(LABELS))
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores[0, LABELS.index("attack")] > 0.5 > scores[1, LABELS.index("attack")]
