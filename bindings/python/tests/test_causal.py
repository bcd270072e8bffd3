import ctypes
import gc
import json
import threading

import pytest

import nib
from nib import _lib
from nib.errors import call


def test_info(stories):
    i = stories.info
    assert i.architecture == "LlamaForCausalLM" and i.kind == "causal-lm"
    assert i.vocab_size == 512 and i.max_positions == 512
    assert stories.labels == []


def test_tokenizer(stories):
    t = stories.tokenizer
    assert t.encode("Once upon a time") == [1, 403, 407, 261, 378]
    assert t.encode("Once upon a time", add_special_tokens=False) == [403, 407, 261, 378]
    enc = t.encode_full("Once upon a time")
    assert enc.tokens[0] == "<s>" and len(enc.type_ids) == 5
    assert t.decode([1, 403, 407, 261, 378], skip_special_tokens=True) == "Once upon a time"
    assert t.vocab_size == 512
    assert t.special_tokens["bos"] == 1 and t.special_tokens["eos"] == 2
    assert "mask" not in t.special_tokens
    assert t.token_to_id("</s>") == 2 and t.token_to_id("no such piece") is None
    assert t.id_to_token(2) == "</s>" and t.is_special(2)
    with pytest.raises(nib.InvalidArgumentError):
        t.id_to_token(100000)


def test_greedy_goldens(stories, greedy_golden):
    for case in greedy_golden["prompts"]:
        n = len(case["generated_ids"])
        assert stories.generate(case["prompt"], max_tokens=n, stop_at_eos=False) == case["generated_text"]
        g = stories.generate_full(case["prompt"], max_tokens=n, stop_at_eos=False)
        assert g.ids == case["generated_ids"] and g.prompt_ids == case["input_ids"]
        assert g.stop_reason == "max_tokens" and g.stats["generated_tokens"] == n


def test_generate_from_ids(stories, greedy_golden):
    case = greedy_golden["prompts"][0]
    with stories.session() as s:
        g = s.generate_full(case["input_ids"], max_tokens=8, stop_at_eos=False)
    assert g.ids == case["generated_ids"][:8]


def test_stream_yields_the_text(stories, greedy_golden):
    case = greedy_golden["prompts"][0]
    with stories.session() as s:
        pieces = list(s.stream(case["prompt"], max_tokens=64, stop_at_eos=False))
        assert len(pieces) > 1
        assert "".join(pieces) == case["generated_text"]
        assert s.last_generation.text == case["generated_text"]


def test_stream_callback_survives_garbage_collection(stories, greedy_golden):
    # The ctypes callback must stay alive while C may call it: collect garbage between pieces.
    case = greedy_golden["prompts"][0]
    pieces = []
    with stories.session() as s:
        for piece in s.stream(case["prompt"], max_tokens=64, stop_at_eos=False):
            gc.collect()
            pieces.append(piece)
    assert "".join(pieces) == case["generated_text"]


def test_stream_stopped_early_stops_generation(stories):
    with stories.session() as s:
        it = s.stream("Once upon a time", max_tokens=200, stop_at_eos=False)
        first = next(it)
        it.close()
        assert first
        assert s.last_generation.stop_reason == "callback"
        assert len(s.last_generation.ids) < 200
        # the session is usable afterwards
        assert s.generate("Once upon a time", max_tokens=3)


def test_cancel_from_another_thread(stories):
    with stories.session() as s:
        it = s.stream("Once upon a time", max_tokens=400, stop_at_eos=False)
        next(it)
        t = threading.Thread(target=s.cancel)
        t.start()
        t.join()
        rest = list(it)
        assert s.last_generation.stop_reason == "cancelled"
        assert len(rest) < 400


def test_stop_strings_sampling_and_bias(stories):
    text = stories.generate("Once upon a time", max_tokens=40, stop_at_eos=False, stop=["Lily"])
    assert "Lily" not in text
    a = stories.generate("Once upon a time", max_tokens=12, temperature=0.9, seed=3, top_k=40, top_p=0.95)
    b = stories.generate("Once upon a time", max_tokens=12, temperature=0.9, seed=3, top_k=40, top_p=0.95)
    assert a == b
    g = stories.generate_full("Once upon a time", max_tokens=1, logit_bias={300: 100.0})
    assert g.ids == [300]


def test_session_reuses_context(stories):
    with stories.session() as s:
        first = s.generate_full("Once upon a time", max_tokens=8, stop_at_eos=False)
        second = s.generate_full("Once upon a time" + first.text + " and", max_tokens=4)
        assert second.stats["reused_tokens"] > 0
        s.reset()
        third = s.generate_full("Once upon a time", max_tokens=8, stop_at_eos=False)
        assert third.stats["reused_tokens"] == 0 and third.text == first.text


def test_logits(stories, greedy_golden):
    ids = greedy_golden["prompts"][0]["input_ids"]
    with stories.session() as s:
        rows = s.logits(ids, [0, len(ids) - 1])
        assert len(rows) == 2 and len(rows[0]) == 512
        last = list(rows[1])
        assert last.index(max(last)) == greedy_golden["prompts"][0]["generated_ids"][0]
        with pytest.raises(nib.InvalidArgumentError):
            s.logits(ids, [len(ids)])


def test_model_handle_can_go_before_its_session(shared):
    m = nib.Model(shared / "models" / "stories260K")
    s = m.session()
    m.close()
    assert s.generate("Once upon a time", max_tokens=4)
    s.close()


def test_chat_uses_the_template(shared, tmp_path):
    # stories260K with a chat template added (the files themselves are linked, not copied).
    src = shared / "models" / "stories260K"
    for name in ("config.json", "model.safetensors", "tokenizer.model", "special_tokens_map.json"):
        (tmp_path / name).symlink_to(src / name)
    config = json.loads((src / "tokenizer_config.json").read_text())
    config["chat_template"] = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}"
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    m = nib.Model(tmp_path)
    messages = [{"role": "user", "content": "Once upon a time"}]
    assert m.tokenizer.apply_chat_template(messages, add_generation_prompt=True) == "user: Once upon a time"
    with m.session() as s:
        answer = s.chat(messages, max_tokens=8, stop_at_eos=False)
        # the template writes any special tokens itself, so chat() adds none
        assert s.last_generation.prompt_ids == m.tokenizer.encode("user: Once upon a time", add_special_tokens=False)
    assert answer == m.generate("user: Once upon a time", max_tokens=8, stop_at_eos=False, add_special_tokens=False)


def test_f16_kv_cache_keeps_the_greedy_goldens_and_reuses_context(stories, greedy_golden):
    with stories.session(kv_cache="f16") as s:
        for case in greedy_golden["prompts"]:
            n = len(case["generated_ids"])
            g = s.generate_full(case["input_ids"], max_tokens=n, stop_at_eos=False)
            assert g.ids == case["generated_ids"]
        first = s.generate_full("Once upon a time", max_tokens=8, stop_at_eos=False)
        second = s.generate_full("Once upon a time" + first.text + " and", max_tokens=4)
        assert second.stats["reused_tokens"] > 0


def test_kv_cache_bad_values(stories):
    with pytest.raises(nib.InvalidArgumentError, match="kv_cache must be one of"):
        stories.session(kv_cache="bf16")
    # A value outside nib_kv_cache_type straight through the C ABI is refused there too.
    o = _lib.SessionOptions(kv_cache_type=5)
    h = ctypes.c_void_p()
    with pytest.raises(nib.InvalidArgumentError, match="kv_cache_type 5 is not a nib_kv_cache_type"):
        call("nib_session_create", stories._handle, ctypes.byref(o), ctypes.byref(h))
