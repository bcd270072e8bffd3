import json

import pytest

import nib


def test_classifier_adapter(shared):
    base = nib.Model(shared / "models" / "tiny-bert")
    lora = base.load_adapter(shared / "models/tiny-bert/adapters/lora-a")
    assert lora.rank == 4 and lora.alpha == 8 and lora.task_type == "SEQ_CLS"
    g = json.loads((shared / "models/tiny-bert/adapters/lora-a/golden/classification.json").read_text())
    with base.session() as s:
        before = s.classify(g["single"][0]["text"])
        s.use_adapters([lora])
        for case in g["single"]:
            assert list(s.classify(case["text"]).values()) == pytest.approx(case["probs"], abs=1e-4)
        s.clear_adapters()
        assert s.classify(g["single"][0]["text"]) == pytest.approx(before)


def test_causal_adapter(shared):
    base = nib.Model(shared / "models" / "tiny-llama")
    g = json.loads((shared / "models/tiny-llama/adapters/lora-a/golden/causal_lm.json").read_text())
    with base.session() as s:
        s.use_adapters([(base.load_adapter(shared / "models/tiny-llama/adapters/lora-a"), 1.0)])
        for case in g["cases"]:
            out = s.generate_full(case["input_ids"], max_tokens=len(case["greedy_new_ids"]), stop_at_eos=False)
            assert out.ids == case["greedy_new_ids"]


def test_adapter_errors(shared, tmp_path):
    base = nib.Model(shared / "models" / "tiny-bert")
    with pytest.raises(nib.NibError):
        base.load_adapter(shared / "models/tiny-llama/adapters/lora-a")  # another base's adapter
    with pytest.raises(nib.NibError):
        base.load_adapter(tmp_path)
