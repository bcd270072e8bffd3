"""nib from Python: streamed greedy generation, classification with a LoRA adapter, and few-shot
choice with a causal LM (plain `choose` and `classify_in_context`).

    NIB_LIBRARY=build/lib/libnib.so python3 examples/python/main.py MODELS_DIR
"""
import sys
from pathlib import Path

import nib


def generate(models: Path) -> nib.Model:
    stories = nib.Model(models / "stories260K", threads=2)
    with stories.session() as s:
        pieces = list(s.stream("Once upon a time", max_tokens=64, stop_at_eos=False))
        print("completion:", "".join(pieces))
        print("stats:", s.last_generation.stats)
    ids = stories.tokenizer.encode("Once upon a time")
    print("ids:", ids, "->", stories.tokenizer.decode(ids, skip_special_tokens=True))
    return stories


def classify_with_adapter(models: Path) -> None:
    text = "I loved this movie, it was fantastic!"
    classifier = nib.Model(models / "tiny-bert")
    lora = classifier.load_adapter(models / "tiny-bert" / "adapters" / "lora-a")
    with classifier.session() as s:
        scores = s.classify(text)
        print("label:", max(scores, key=scores.get), scores)
        s.use_adapters([lora])  # the base weights stay untouched; clear_adapters() goes back
        scores = s.classify(text)
        print("with adapter lora-a:", max(scores, key=scores.get), scores)


def few_shot(stories: nib.Model) -> None:
    # Which continuation is likelier? Probabilities over the choices (they sum to 1).
    prompt = "Once upon a time, there was a little girl named Lily. She"
    choices = [" loved to play outside with her friends.", " table purple quickly the of sang."]
    ranked = stories.choose(prompt, choices)
    best = max(ranked, key=lambda c: c.probability)
    print(f"choose: best={best.text!r} sum={sum(c.probability for c in ranked):.6f}")
    for c in ranked:
        print(f"  p={c.probability:.4f} logprob={c.logprob:.2f} tokens={c.tokens} {c.text!r}")

    # Few-shot: a prompt from labelled examples, then a choice among their labels.
    examples = [("The dog ran to the park.", "animal"), ("The car drove down the road.", "vehicle"),
                ("A cat slept in the sun.", "animal")]
    r = stories.classify_in_context(examples, "A bird sang in the tree.")
    print(f"few-shot: label={r.label} sum={sum(r.probabilities.values()):.6f} labels={r.labels}")
    for label, p in r.probabilities.items():
        print(f"  p({label})={p:.4f}")
    print("prompt:", repr(r.prompt))


def main(models: Path) -> None:
    print(f"nib {nib.library_version} (ABI {nib.abi_version})")
    stories = generate(models)
    classify_with_adapter(models)
    few_shot(stories)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
