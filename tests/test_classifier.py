"""classify() and EventClassifier on the real bundled encoder, zero-shot mode."""

from __future__ import annotations

import threading

import pytest

from eventclass import LABELS, EventClassifier, Prediction, classify

CLEAR_CASES = [
    ("Rockets struck the US embassy in Baghdad on Friday, wounding two guards.", "attack"),
    ("A drone strike killed a militia commander near the Syrian border overnight.", "attack"),
    ("The Treasury Department imposed sanctions on six companies accused of shipping Iranian oil.", "sanction"),
    ("The European Union froze the assets of three generals and banned them from travel.", "sanction"),
    ("The foreign ministry condemned the raid as a flagrant violation of international law.", "condemnation"),
    ("Rights groups denounced the government for the killing of protesters.", "condemnation"),
    ("The foreign minister spoke by phone with his Iraqi counterpart about the crisis.", "diplomatic message"),
    ("The UN envoy urged both parties to return to negotiations in Geneva.", "diplomatic message"),
]

NO_EVENT = [
    "Heavy rain is expected across the north of the country this weekend.",
    "The central bank kept interest rates unchanged on Thursday.",
    "The museum reopened after a two-year renovation.",
]


@pytest.mark.parametrize("text,expected", CLEAR_CASES)
def test_clear_sentences_get_the_right_top_label(zero_shot, text, expected):
    prediction = zero_shot.classify(text)
    assert prediction.label == expected, prediction
    assert prediction.mode == "zero-shot"


@pytest.mark.parametrize("text", NO_EVENT)
def test_no_event_sentences_carry_no_label(zero_shot, text):
    assert zero_shot.classify(text).labels == ()


def test_prediction_shape(zero_shot):
    p = zero_shot.classify("Drones hit the base.")
    assert isinstance(p, Prediction)
    assert set(p.scores) == set(LABELS)
    assert all(0.0 <= s <= 1.0 for s in p.scores.values())
    assert list(p.labels) == sorted(p.labels, key=p.scores.get, reverse=True)
    assert all(p.scores[l] >= zero_shot.thresholds[l] for l in p.labels)
    assert p.label == (p.labels[0] if p.labels else None)


def test_list_in_list_out_same_order_as_single_calls(zero_shot):
    texts = [text for text, _ in CLEAR_CASES] + NO_EVENT
    batch = zero_shot.classify(texts, batch_size=3)
    assert isinstance(batch, list) and len(batch) == len(texts)
    for text, p in zip(texts, batch):
        single = zero_shot.classify(text)
        assert p.labels == single.labels
        assert p.scores == pytest.approx(single.scores, abs=1e-4)
    assert zero_shot(tuple(texts[:2]))[1].label == batch[1].label
    assert zero_shot.classify([]) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gives_no_labels_and_zero_scores(zero_shot, text):
    p = zero_shot.classify(text)
    assert p.labels == () and p.label is None
    assert set(p.scores.values()) == {0.0}


@pytest.mark.parametrize("bad,message", [(42, "int"), (None, "NoneType"), (b"bytes", "bytes"), ({"text": "x"}, "dict")])
def test_bad_input_type_is_a_clear_type_error(zero_shot, bad, message):
    with pytest.raises(TypeError, match=message):
        zero_shot.classify(bad)


def test_bad_item_in_list_names_its_index(zero_shot):
    with pytest.raises(TypeError, match="index 2.*float"):
        zero_shot.classify(["fine", "also fine", 3.5])


def test_huge_and_odd_text_does_not_crash(zero_shot, caplog):
    huge = "Rockets hit the base. " * 50_000  # about 1.1 MB
    with caplog.at_level("WARNING"):
        results = zero_shot.classify([huge, "زلزال بقوة 5 درجات ضرب المنطقة", "%%%% ### ~~~ 0x00ff", "Ракеты ударили по базе."])
    assert len(results) == 4 and all(isinstance(r, Prediction) for r in results)
    assert "truncated" in caplog.text


def test_classify_is_thread_safe(zero_shot):
    texts = [text for text, _ in CLEAR_CASES]
    expected = [p.labels for p in zero_shot.classify(texts)]
    results, errors = {}, []

    def work(n):
        try:
            results[n] = [p.labels for p in zero_shot.classify(texts)]
        except Exception as err:  # noqa: BLE001 - the test reports any failure
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r == expected for r in results.values())


def test_module_level_classify_falls_back_to_zero_shot_and_loads_once(no_default_model):
    from eventclass import classifier

    first = classify("Drones hit the base.")
    assert first.mode == "zero-shot" and first.label == "attack"
    loaded = classifier.default_classifier()
    classify(["The EU imposed sanctions on the airline."])
    assert classifier.default_classifier() is loaded


def test_default_classifier_loads_once_across_threads(no_default_model):
    from eventclass import classifier

    seen = []
    threads = [threading.Thread(target=lambda: seen.append(classifier.default_classifier())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1


def test_info_says_mode_and_model(zero_shot):
    info = zero_shot.info()
    assert info["mode"] == "zero-shot" and info["method"] == "prototypes"
    assert info["labels"] == list(LABELS)
    assert set(info["thresholds"]) == set(LABELS)
    assert zero_shot.model_path.endswith("model")


def test_bf16_agrees_with_fp32_on_clear_cases(zero_shot):
    fast = EventClassifier.zero_shot(precision="bf16")
    texts = [text for text, _ in CLEAR_CASES]
    assert [p.label for p in fast.classify(texts)] == [p.label for p in zero_shot.classify(texts)]
