"""Task heads from Python: train on a synthetic task with a known answer, the report, classify with
the head attached, save / load, determinism, and the errors."""
import json
import random

import pytest

import nib

WORDS = {"animal": ["cat", "dog", "horse", "mouse", "bird"], "food": ["bread", "apple", "cheese", "soup", "rice"],
         "vehicle": ["car", "train", "boat", "truck", "plane"]}


def texts(per_class, seed):
    r = random.Random(seed)
    return [(" ".join(r.choice(WORDS[label]) for _ in range(r.randint(24, 32))), label)
            for _ in range(per_class) for label in WORDS]


@pytest.fixture(scope="module")
def bert(shared):
    return nib.Model(shared / "models" / "tiny-bert")


def test_train_classify_save_load(bert, tmp_path):
    head = bert.train_head(texts(30, 1), seed=3)
    assert head.labels == ["animal", "food", "vehicle"]
    assert head.pooling == "mean" and head.feature_dim == 64 and not head.multi_label
    r = head.report
    assert r.examples == 90 and r.folds == 5 and len(r.per_fold) == 5
    assert r.cv_accuracy >= 0.9 and sum(map(sum, r.confusion)) == 90
    assert r.feature_ms > 0 and r.fit_ms > 0 and r.iterations > 0
    held_out = texts(10, 2)
    with bert.session() as s:
        s.set_head(head)
        results = s.classify([t for t, _ in held_out])
        assert [max(p, key=p.get) for p in results] == [label for _, label in held_out]
        head.save(tmp_path / "head")
        config = json.loads((tmp_path / "head" / "head_config.json").read_text())
        assert config["labels"] == head.labels and config["base_model"]["weights_checksum"] == head.base_checksum
        loaded = bert.load_head(tmp_path / "head")
        assert loaded.report.folds == 0
        s.set_head(loaded)
        assert s.classify([t for t, _ in held_out]) == results
        s.clear_head()
        assert list(s.classify(held_out[0][0])) == bert.labels


def test_deterministic_and_cached(bert):
    a = bert.train_head(texts(10, 5), hidden_units=8, max_iterations=50, seed=1)
    b = bert.train_head(texts(10, 5), hidden_units=8, max_iterations=50, seed=1)
    assert b.report.features_computed == 0
    assert a.report.cv_accuracy == b.report.cv_accuracy and a.report.train_loss == b.report.train_loss


def test_multi_label_dicts_and_last_token_pooling(shared):
    llama = nib.Model(shared / "models" / "tiny-llama")
    r = random.Random(4)
    examples = []
    for _ in range(60):
        a, b = r.sample(sorted(WORDS), 2)
        words = [r.choice(WORDS[a if i % 2 else b]) for i in range(24)]
        examples.append({"text": " ".join(words), "labels": [a, b]})
    head = llama.train_head(examples, multi_label=True, pooling="last", folds=3)
    assert head.multi_label and head.pooling == "last" and head.report.confusion == []
    assert len(llama.embed("a cat", pooling="last")) == 64


def test_errors(bert, shared, tmp_path):
    with pytest.raises(nib.InvalidArgumentError, match="at least two distinct labels"):
        bert.train_head([("a cat", "x"), ("a dog", "x")], folds=0)
    with pytest.raises(nib.InvalidArgumentError, match="pooling"):
        bert.train_head(texts(2, 1), pooling="max")
    with pytest.raises(nib.CancelledError):
        bert.train_head(texts(5, 9), progress=lambda p: p < 0.5)
    head = bert.train_head(texts(5, 1), folds=0)
    head.save(tmp_path / "h")
    other = nib.Model(shared / "models" / "tiny-distilbert")
    with pytest.raises(nib.InvalidArgumentError, match="was trained on a BertForSequenceClassification"):
        other.load_head(tmp_path / "h")
    (tmp_path / "h" / "head.safetensors").write_bytes(b"\x08")
    with pytest.raises(nib.FormatError, match="head.safetensors"):
        bert.load_head(tmp_path / "h")
