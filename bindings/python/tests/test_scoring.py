"""Session.score / choose / chat on stories260K through the C ABI."""
import json
import math

import pytest

import nib

STORY = "Once upon a time, there was a little girl named Lily. She"


def log_softmax_at(row, token):
    top = max(row)
    return float(row[token]) - top - math.log(sum(math.exp(float(x) - top) for x in row))


def test_score_equals_log_softmax_of_logits(stories):
    conts = [" loved to play.", " car blue the."]
    with stories.session() as s:
        scores = s.score(STORY, conts)
        prompt = stories.tokenizer.encode(STORY)
        for c, sc in zip(conts, scores):
            assert prompt + sc.ids == stories.tokenizer.encode(STORY + c)
            rows = s.logits(prompt + sc.ids, [len(prompt) + i - 1 for i in range(len(sc.ids))])
            want = [log_softmax_at(list(rows[i]), t) for i, t in enumerate(sc.ids)]
            assert sc.token_logprobs == pytest.approx(want, abs=1e-4)
            assert sc.logprob == pytest.approx(sum(want), abs=1e-4)
    assert scores[0].logprob > scores[1].logprob


def test_choose_is_decisive_and_normalised(stories):
    choices = [" loved to play outside with her friends.", " table purple quickly the of sang."]
    r = stories.choose(STORY, choices)
    assert [c.text for c in r] == choices
    assert r[0].probability > 0.9
    assert sum(c.probability for c in r) == pytest.approx(1.0)
    assert r[0].probability == pytest.approx(1 / (1 + math.exp(r[1].logprob - r[0].logprob)))
    m = stories.choose(STORY, choices, normalization="mean")
    assert m[0].probability == pytest.approx(1 / (1 + math.exp(m[1].mean_logprob - m[0].mean_logprob)))
    with pytest.raises(nib.InvalidArgumentError):
        stories.choose(STORY, [])
    with pytest.raises(nib.InvalidArgumentError):
        stories.score(STORY, [" a", ""])
    with pytest.raises(nib.InvalidArgumentError):
        stories.choose(STORY, choices, normalization="max")


def test_chat_adds_one_bos_and_reuses_the_first_turn(shared, tmp_path):
    src = shared / "models" / "stories260K"
    for name in ("config.json", "model.safetensors", "tokenizer.model", "special_tokens_map.json"):
        (tmp_path / name).symlink_to(src / name)
    config = json.loads((src / "tokenizer_config.json").read_text())
    config["chat_template"] = ("{{ bos_token }}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n"
                               "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    m = nib.Model(tmp_path)
    with m.session() as s:
        history = [{"role": "user", "content": "Tell me a story."}]
        reply = s.chat(history, max_tokens=8, stop_at_eos=False)
        first = s.last_generation
        assert first.prompt_ids.count(1) == 1 and first.prompt_ids[0] == 1
        history += [{"role": "assistant", "content": reply}, {"role": "user", "content": "And then?"}]
        s.chat(history, max_tokens=8, stop_at_eos=False)
        assert s.last_generation.stats["reused_tokens"] >= first.stats["prompt_tokens"]
    with pytest.raises(nib.UnsupportedError):
        nib.Model(src).chat([{"role": "user", "content": "hi"}])


EXAMPLES = [("The dog ran to the park.", "animal"), ("The car drove down the road.", "vehicle"),
            {"text": "A cat slept in the sun.", "label": "animal"}]


@pytest.mark.parametrize("normalization", ["sum", "mean"])
def test_classify_in_context_is_choose_on_its_prompt(stories, normalization):
    with stories.session() as s:
        r = s.classify_in_context(EXAMPLES, "A bird sang in the tree.", instruction="Sort each sentence.\n",
                                  normalization=normalization)
        assert isinstance(r, nib.InContextClassification)
        assert r.labels == ["animal", "vehicle"]
        assert [c.text for c in r.choices] == ["animal |", "vehicle |"]
        assert r.prompt.startswith("Sort each sentence.\nThe dog ran to the park. | animal |\n")
        assert r.prompt.endswith("A bird sang in the tree. | ")  # the space before {label}
        assert r.label == max(r.probabilities, key=r.probabilities.get)
        assert sum(r.probabilities.values()) == pytest.approx(1.0)
        # The same session reuses the cached prompt, so float32 sums may differ in the last digits.
        want = s.choose(r.prompt, [c.text for c in r.choices], normalization=normalization)
        for got, ref in zip(r.choices, want):
            assert got.tokens == ref.tokens
            assert (got.probability, got.logprob, got.mean_logprob) == pytest.approx(
                (ref.probability, ref.logprob, ref.mean_logprob), abs=1e-4)


def test_classify_in_context_format_and_errors(stories):
    r = stories.classify_in_context(EXAMPLES[:2], "A bird.", separator="=>", line_format="{text} {sep} {label}\n")
    assert r.prompt == "The dog ran to the park. => animal\nThe car drove down the road. => vehicle\nA bird. => "
    assert [c.text for c in r.choices] == ["animal", "vehicle"]
    with pytest.raises(nib.InvalidArgumentError, match="nib_session_classify_in_context"):
        stories.classify_in_context([], "x")
    with pytest.raises(nib.InvalidArgumentError):
        stories.classify_in_context([("a", "")], "x")
    with pytest.raises(nib.InvalidArgumentError):
        stories.classify_in_context(EXAMPLES, "x", normalization="max")
    with pytest.raises(nib.InvalidArgumentError):
        stories.classify_in_context(EXAMPLES, "x", line_format="no placeholders")
