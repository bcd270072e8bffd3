"""nib.Model: a Hugging Face model folder loaded once (immutable, shareable between threads)."""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Union

from . import _lib
from .adapter import Adapter
from .errors import InvalidArgumentError, call
from .head import Head
from .head import train as train_head
from .session import Generation, Session
from .tokenizer import Tokenizer

_WEIGHTS = {"auto": 0, "f32": 1, "bf16": 2, "f16": 3, "int8": 4, "int4": 5}


@dataclass(frozen=True)
class ModelInfo:
    """What config.json says about a model, as nib understood it."""

    path: str
    architecture: str
    model_type: str
    kind: str  # "causal-lm" or "encoder"
    head: str
    problem_type: str
    tokenizer_kind: str
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    parameter_count: int
    labels: List[str]


class Model:
    """A loaded model. The convenience methods (generate, classify, ...) run on a fresh session each
    call, so a Model may be used from several threads; use session() to keep context between calls."""

    def __init__(self, path: Union[str, "os.PathLike[str]"], threads: int = 0, n_ctx: int = 0,
                 weights: str = "auto", progress: Optional[Callable[[float], Optional[bool]]] = None,
                 max_memory_bytes: int = 0) -> None:
        """Loads a model folder. `progress(fraction)` may return False to cancel (CancelledError).
        `max_memory_bytes` (0: none) caps the weights plus every session's KV cache: exceeding it
        raises NibMemoryError before anything is allocated."""
        if weights not in _WEIGHTS:
            raise InvalidArgumentError(f"weights must be one of {sorted(_WEIGHTS)}, not {weights!r}")
        if max_memory_bytes < 0:
            raise InvalidArgumentError("max_memory_bytes must be >= 0")
        self._handle = None
        o = _lib.LoadOptions(threads=threads, n_ctx=n_ctx, weight_type=_WEIGHTS[weights],
                             max_memory_bytes=max_memory_bytes)
        failure: List[BaseException] = []
        if progress is not None:
            def on_progress(fraction: float, _user: Any) -> int:
                try:
                    return 1 if progress(fraction) is False else 0
                except BaseException as e:  # a raising callback cancels the load, then re-raises
                    failure.append(e)
                    return 1
            cb = _lib.PROGRESS_FN(on_progress)  # alive until nib_model_load returns
            o.progress = cb
        h = ctypes.c_void_p()
        try:
            call("nib_model_load", _lib.encode(os.fspath(path)), ctypes.byref(o), ctypes.byref(h))
        except BaseException:
            if failure:
                raise failure[0]
            raise
        self._handle = h
        self._tokenizer: Optional[Tokenizer] = None
        self._info: Optional[ModelInfo] = None

    def close(self) -> None:
        """Frees the model handle (sessions and tokenizers already made keep working)."""
        if getattr(self, "_handle", None):
            _lib.lib.nib_model_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def info(self) -> ModelInfo:
        if self._info is None:
            i = _lib.ModelInfo()
            call("nib_model_get_info", self._handle, ctypes.byref(i))
            label = ctypes.c_char_p()
            labels = []
            for n in range(i.num_labels):
                call("nib_model_label", self._handle, n, ctypes.byref(label))
                labels.append((label.value or b"").decode("utf-8"))
            s = {name: (getattr(i, name) or b"").decode("utf-8") for name in
                 ("path", "architecture", "model_type", "kind", "head", "problem_type", "tokenizer_kind")}
            n = {name: getattr(i, name) for name in
                 ("hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size",
                  "vocab_size", "max_positions", "parameter_count")}
            self._info = ModelInfo(labels=labels, **s, **n)
        return self._info

    @property
    def labels(self) -> List[str]:
        """Label names in id order (classification heads)."""
        return self.info.labels

    @property
    def tokenizer(self) -> Tokenizer:
        """The folder's tokenizer (InvalidArgumentError when it has none)."""
        if self._tokenizer is None:
            h = ctypes.c_void_p()
            call("nib_model_tokenizer", self._handle, ctypes.byref(h))
            self._tokenizer = Tokenizer(h)
        return self._tokenizer

    def load_adapter(self, path: Union[str, "os.PathLike[str]"]) -> Adapter:
        """Loads a LoRA adapter folder (PEFT layout) for this model; see Session.use_adapters."""
        return Adapter(self, path)

    def train_head(self, examples: Sequence[Any], **options: Any) -> Head:
        """Trains a task head on (text, label) pairs (or (text, [labels]) with multi_label=True, or
        {"text", "label"} dicts); the returned Head carries .report (cross-validation, timings) and
        .save(path). Options: pooling ("auto", "mean", "cls", "last"), normalize, multi_label,
        hidden_units, l2, folds, balanced, validation_fraction, patience, max_iterations, tolerance,
        learning_rate, seed, threads, adapters, progress."""
        return train_head(self, examples, **options)

    def load_head(self, path: Union[str, "os.PathLike[str]"]) -> Head:
        """Loads a head folder saved by Head.save() for this model (InvalidArgumentError for another)."""
        return Head.load(self, path)

    def session(self, n_ctx: int = 0, threads: int = 0, drop_oldest_on_overflow: bool = False,
                kv_cache: str = "f32") -> Session:
        """A new Session (a context manager) keeping its KV cache (kv_cache "f32" or "f16") between calls."""
        return Session(self, n_ctx=n_ctx, threads=threads, drop_oldest_on_overflow=drop_oldest_on_overflow,
                       kv_cache=kv_cache)

    def generate(self, prompt: Union[str, Sequence[int]], **options: Any) -> str:
        """Generated text for a prompt (see Session.generate_full for the options)."""
        with self.session() as s:
            return s.generate(prompt, **options)

    def generate_full(self, prompt: Union[str, Sequence[int]], **options: Any) -> Generation:
        """See Session.generate_full."""
        with self.session() as s:
            return s.generate_full(prompt, **options)

    def chat(self, messages: Sequence[Any], **options: Any) -> str:
        """See Session.chat."""
        with self.session() as s:
            return s.chat(messages, **options)

    def score(self, prompt: str, continuations: Sequence[str]) -> List[Any]:
        """See Session.score."""
        with self.session() as s:
            return s.score(prompt, continuations)

    def choose(self, prompt: str, choices: Sequence[str], normalization: str = "sum") -> List[Any]:
        """See Session.choose."""
        with self.session() as s:
            return s.choose(prompt, choices, normalization=normalization)

    def classify_in_context(self, examples: Sequence[Any], text: str, **options: Any) -> Any:
        """See Session.classify_in_context."""
        with self.session() as s:
            return s.classify_in_context(examples, text, **options)

    def classify(self, text: Union[str, Sequence[str]], truncate: bool = True) -> Any:
        """See Session.classify."""
        with self.session() as s:
            return s.classify(text, truncate=truncate)

    def fill_mask(self, text: Union[str, Sequence[str]], top_k: int = 5) -> Any:
        """See Session.fill_mask."""
        with self.session() as s:
            return s.fill_mask(text, top_k=top_k)

    def embed(self, text: Union[str, Sequence[str]], pooling: str = "auto", normalize: bool = False) -> Any:
        """See Session.embed."""
        with self.session() as s:
            return s.embed(text, pooling=pooling, normalize=normalize)

    def tag_tokens(self, text: Union[str, Sequence[str]], aggregation: str = "none") -> Any:
        """See Session.tag_tokens."""
        with self.session() as s:
            return s.tag_tokens(text, aggregation=aggregation)
