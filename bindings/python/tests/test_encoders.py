import json

import pytest

import nib

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None


@pytest.fixture(scope="module")
def bert(shared):
    return nib.Model(shared / "models" / "tiny-bert")


@pytest.fixture(scope="module")
def mlm(shared):
    return nib.Model(shared / "models" / "tiny-bert-mlm")


def test_classify_matches_golden(bert, shared):
    g = json.loads((shared / "models/tiny-bert/golden/classification.json").read_text())
    assert bert.labels == ["negative", "neutral", "positive"]
    for case in g["single"]:
        scores = bert.classify(case["text"])
        assert max(scores, key=scores.get) == case["label"]
        assert list(scores.values()) == pytest.approx(case["probs"], abs=1e-4)
    batch = bert.classify(g["batch"]["texts"])
    for scores, probs in zip(batch, g["batch"]["probs"]):
        assert list(scores.values()) == pytest.approx(probs, abs=1e-4)
    assert bert.classify([]) == []


def test_fill_mask_matches_golden(mlm, shared):
    g = json.loads((shared / "models/tiny-bert-mlm/golden/fill_mask.json").read_text())
    for case in g["cases"]:
        fills = mlm.fill_mask(case["text"], top_k=5)
        assert [f["id"] for f in fills] == case["top5_ids"]
        assert [f["token"] for f in fills] == case["top5_tokens"]
        assert [f["score"] for f in fills] == pytest.approx(case["top5_probs"], abs=1e-4)


def test_fill_mask_list_equals_one_at_a_time(mlm, shared):
    g = json.loads((shared / "models/tiny-bert-mlm/golden/fill_mask.json").read_text())
    texts = [c["text"] for c in g["cases"]]
    with mlm.session() as s:
        batch = s.fill_mask(texts, top_k=3)
        assert len(batch) == len(texts)
        for text, fills, case in zip(texts, batch, g["cases"]):
            assert fills == s.fill_mask(text, top_k=3)
            assert [f["id"] for f in fills] == case["top5_ids"][:3]
        assert s.fill_mask([]) == []
        with pytest.raises(nib.InvalidArgumentError, match="nib_fill_mask_batch"):
            s.fill_mask([texts[0], "no mask here"])


@pytest.fixture(scope="module")
def tagger(shared, tmp_path_factory):
    """A token-classification folder derived from tiny-bert (its [3, 64] classifier fits a token
    head): the shared files linked, config.json with the token-classification architecture."""
    src = shared / "models" / "tiny-bert"
    d = tmp_path_factory.mktemp("tiny-bert-token-classification")
    for name in ("model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                 "vocab.txt"):
        (d / name).symlink_to((src / name).resolve())
    config = json.loads((src / "config.json").read_text())
    config["architectures"] = ["BertForTokenClassification"]
    config["id2label"] = {"0": "O", "1": "B-PER", "2": "I-PER"}
    config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
    (d / "config.json").write_text(json.dumps(config))
    return nib.Model(d)


def test_tag_tokens_single_and_list(tagger):
    texts = ["John Smith lives in Paris", "", "Marie went to Berlin yesterday"]
    assert tagger.info.head == "token-classification"
    with tagger.session() as s:
        for aggregation in ("none", "first", "average", "max"):
            batch = s.tag_tokens(texts, aggregation=aggregation)
            assert len(batch) == len(texts)
            for text, tags in zip(texts, batch):
                assert tags == s.tag_tokens(text, aggregation=aggregation)
                for t in tags:
                    assert t["label"] != "O" and 0 < t["score"] <= 1 and t["start"] < t["end"]
                    if aggregation != "none":
                        assert t["label"] == "PER"
            assert sum(len(t) for t in batch) > 0
        assert s.tag_tokens([]) == []
        with pytest.raises(nib.InvalidArgumentError):
            s.tag_tokens(texts, aggregation="sum")


def test_embed_matches_golden(bert, shared):
    g = json.loads((shared / "models/tiny-bert/golden/embeddings.json").read_text())
    texts = [c["text"] for c in g["cases"]]
    with bert.session() as s:
        for c in g["cases"]:
            v = s.embed(c["text"], pooling="mean")
            assert list(v) == pytest.approx(c["mean_pooled"], abs=1e-4)
            assert list(s.embed(c["text"], pooling="mean", normalize=True)) == pytest.approx(c["l2_normalized"],
                                                                                            abs=1e-4)
        m = s.embed(texts, pooling="cls")
        assert len(m) == 3 and len(m[0]) == 64
        if np is not None:
            assert isinstance(m, np.ndarray) and m.shape == (3, 64) and m.dtype == np.float32
        for row, c in zip(m, g["cases"]):
            assert list(row) == pytest.approx(c["cls_hidden"], abs=1e-4)


def test_embed_without_numpy_gives_lists(bert, monkeypatch):
    want = bert.embed(["a text", "another"], pooling="mean")
    monkeypatch.setattr(nib.session, "_np", None)
    got = bert.embed(["a text", "another"], pooling="mean")
    assert isinstance(got, list) and isinstance(got[0], list) and len(got[0]) == 64
    assert got[1] == pytest.approx(list(want[1]))
    single = bert.embed("a text", pooling="mean")
    assert isinstance(single, list) and single == pytest.approx(got[0])


def test_encoder_errors(bert, mlm):
    with pytest.raises(nib.InvalidArgumentError):
        bert.fill_mask("a [MASK] b")
    with pytest.raises(nib.InvalidArgumentError):
        bert.tag_tokens("a b")
    with pytest.raises(nib.InvalidArgumentError, match="nib_tag_tokens_batch"):
        bert.tag_tokens(["a b", "c"])
    with pytest.raises(nib.InvalidArgumentError, match="nib_fill_mask_batch"):
        bert.fill_mask(["a [MASK] b"])
    with pytest.raises(nib.InvalidArgumentError):
        bert.embed("x", pooling="max")
    with pytest.raises(nib.NibError):
        bert.generate("hello")
    with pytest.raises(nib.InvalidArgumentError):
        mlm.fill_mask("no mask here", top_k=0)
    with pytest.raises(nib.NibError):
        bert.classify("word " * 2000, truncate=False)


def test_tokenizer_pairs_and_chat(shared):
    t = nib.Tokenizer.load(shared / "models" / "tiny-bert")
    enc = t.encode_full("a question", pair="the context")
    assert enc.ids[0] == 101 and enc.ids.count(102) == 2 and enc.type_ids[-1] == 1
    phi = nib.Tokenizer.load(shared / "tokenizers" / "phi-3-mini")
    msgs = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Hello, who are you?"}]
    out = phi.apply_chat_template(msgs, add_generation_prompt=True)
    assert out == ("<|system|>\nYou are a helpful assistant.<|end|>\n<|user|>\nHello, who are you?<|end|>\n"
                   "<|assistant|>\n")
    with pytest.raises(nib.NibError):
        t.apply_chat_template(msgs)  # tiny-bert has no chat template
