"""nib from Python: greedy generation (streamed), classification, tokenizer round trip.

    NIB_LIBRARY=build/lib/libnib.so python3 examples/python/generate.py MODELS_DIR
"""
import sys
from pathlib import Path

import nib


def main(models: Path) -> None:
    print(f"nib {nib.library_version} (ABI {nib.abi_version})")
    stories = nib.Model(models / "stories260K", threads=2)
    with stories.session() as s:
        pieces = list(s.stream("Once upon a time", max_tokens=64, stop_at_eos=False))
        print("completion:", "".join(pieces))
        print("stats:", s.last_generation.stats)
    ids = stories.tokenizer.encode("Once upon a time")
    print("ids:", ids, "->", stories.tokenizer.decode(ids, skip_special_tokens=True))

    classifier = nib.Model(models / "tiny-bert")
    scores = classifier.classify("I loved this movie, it was fantastic!")
    print("label:", max(scores, key=scores.get), scores)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
