"""nib.Session: generation, logits and encoder tasks over a shared model (one thread at a time)."""
from __future__ import annotations

import ctypes
import queue
import threading
from dataclasses import dataclass, field
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple,
                    Union)

from . import _lib
from .errors import InvalidArgumentError, UnsupportedError, call

if TYPE_CHECKING:
    from .adapter import Adapter
    from .head import Head
    from .model import Model

try:  # embeddings come back as numpy arrays when numpy is importable
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the environment
    _np = None

STOP_REASONS = ("max_tokens", "eos", "stop_string", "callback", "cancelled", "context_full")
_POOLING = {"auto": 0, "mean": 1, "cls": 2, "last": 3}
_AGGREGATION = {"none": 0, "first": 1, "average": 2, "max": 3}
_KV_CACHE = {"f32": 0, "f16": 1}  # nib_kv_cache_type


@dataclass
class Generation:
    """The result of one generation: text, ids, why it stopped and timings."""

    text: str
    ids: List[int]
    prompt_ids: List[int]
    stop_reason: str
    stats: Dict[str, float] = field(default_factory=dict)


@dataclass
class ContinuationScore:
    """A continuation's tokens and log-probabilities given the prompt (see Session.score)."""

    ids: List[int]
    token_logprobs: List[float]
    logprob: float


@dataclass
class Choice:
    """One choice of Session.choose: its log-probabilities and its probability among the choices."""

    text: str
    tokens: int
    logprob: float
    mean_logprob: float
    probability: float


@dataclass
class InContextClassification:
    """The result of Session.classify_in_context: the best label, the examples' distinct labels (in
    order of appearance), one Choice per label (its text is the continuation that was scored, e.g.
    "positive |") and the few-shot prompt they were scored after."""

    label: str
    labels: List[str]
    choices: List[Choice]
    prompt: str

    @property
    def probabilities(self) -> Dict[str, float]:
        """label -> probability (they sum to 1)."""
        return {label: c.probability for label, c in zip(self.labels, self.choices)}


_NORMALIZATION = {"sum": 0, "mean": 1}


def _generate_options(kw: Dict[str, Any], stream: Optional[Callable[..., int]]) -> Tuple[Any, list]:
    """nib_generate_options from keyword arguments; the second value keeps ctypes objects alive."""
    o = _lib.GenerateOptions()
    call("nib_generate_options_init", ctypes.byref(o))
    keep: list = []
    names = {"max_tokens": "max_new_tokens", "max_new_tokens": "max_new_tokens"}
    for key, value in kw.items():
        if key in names:
            o.max_new_tokens = value
        elif key == "stop":
            stops = [value] if isinstance(value, str) else list(value)
            arr = (ctypes.c_char_p * len(stops))(*[s.encode("utf-8") for s in stops])
            keep.append(arr)
            o.stop = ctypes.cast(arr, ctypes.POINTER(ctypes.c_char_p))
            o.stop_count = len(stops)
        elif key == "logit_bias":
            ids = (_lib.c_token * len(value))(*value.keys())
            vals = (ctypes.c_float * len(value))(*value.values())
            keep += [ids, vals]
            o.logit_bias_ids, o.logit_bias_values, o.logit_bias_count = ids, vals, len(value)
        elif key in ("stop_at_eos", "add_special_tokens"):
            setattr(o, key, int(bool(value)))
        elif key in ("temperature", "top_k", "top_p", "min_p", "repetition_penalty", "presence_penalty",
                     "frequency_penalty", "penalty_window", "seed"):
            setattr(o, key, value)
        else:
            raise TypeError(f"unknown generation option {key!r}")
    if stream is not None:
        cb = _lib.STREAM_FN(stream)
        keep.append(cb)  # the C side calls it until nib_generate returns
        o.stream = cb
    return o, keep


def _task_options(truncate: bool = True, pooling: str = "auto", normalize: bool = False,
                  aggregation: str = "none", top_k: int = 5) -> Any:
    o = _lib.TaskOptions()
    call("nib_task_options_init", ctypes.byref(o))
    if pooling not in _POOLING:
        raise InvalidArgumentError(f"pooling must be one of {sorted(_POOLING)}, not {pooling!r}")
    if aggregation not in _AGGREGATION:
        raise InvalidArgumentError(f"aggregation must be one of {sorted(_AGGREGATION)}, not {aggregation!r}")
    o.truncate, o.pooling, o.normalize = int(truncate), _POOLING[pooling], int(normalize)
    o.aggregation, o.top_k = _AGGREGATION[aggregation], top_k
    return o


def _texts(texts: Sequence[str]) -> Any:
    return (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])


def _s(p: Optional[bytes]) -> str:
    return (p or b"").decode("utf-8", "replace")


class Session:
    """Mutable state (KV cache, sampler) over a model. Use from one thread at a time; cancel() may be
    called from any thread. A context manager: leaving the `with` block frees it."""

    def __init__(self, model: "Model", n_ctx: int = 0, threads: int = 0,
                 drop_oldest_on_overflow: bool = False, kv_cache: str = "f32") -> None:
        """`kv_cache` ("f32" or "f16") is the element type of a causal LM's KV cache: "f16" halves its
        memory, rounding keys and values to half precision (needs a library of ABI 4 or newer)."""
        if kv_cache not in _KV_CACHE:
            raise InvalidArgumentError(f"kv_cache must be one of {sorted(_KV_CACHE)}, not {kv_cache!r}")
        if kv_cache != "f32" and _lib.lib.nib_abi_version() < 4:  # an older library would not read it
            raise UnsupportedError(f"kv_cache={kv_cache!r} needs libnib ABI 4 or newer")
        o = _lib.SessionOptions(n_ctx=n_ctx, threads=threads, drop_oldest_on_overflow=int(drop_oldest_on_overflow),
                                kv_cache_type=_KV_CACHE[kv_cache])
        h = ctypes.c_void_p()
        call("nib_session_create", model._handle, ctypes.byref(o), ctypes.byref(h))
        self._handle = h
        self.model = model
        #: The Generation of the last generate()/stream() call.
        self.last_generation: Optional[Generation] = None

    def close(self) -> None:
        """Frees the session (also done by the garbage collector and by leaving a `with` block)."""
        if getattr(self, "_handle", None):
            _lib.lib.nib_session_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        """Forgets the cached context."""
        call("nib_session_reset", self._handle)

    def cancel(self) -> None:
        """From any thread: the running call stops within one token."""
        if self._handle:
            call("nib_session_cancel", self._handle)

    def use_adapters(self, adapters: Sequence[Union["Adapter", Tuple["Adapter", float]]]) -> None:
        """Makes adapters (each an Adapter or (Adapter, weight)) the active set for the following
        calls, replacing the previous one; the cached context is dropped."""
        pairs = [a if isinstance(a, tuple) else (a, 1.0) for a in adapters]
        handles = (ctypes.c_void_p * len(pairs))(*[a._handle for a, _ in pairs])
        weights = (ctypes.c_float * len(pairs))(*[w for _, w in pairs])
        call("nib_session_use_adapters", self._handle, handles, weights, len(pairs))
        self.adapters = [a for a, _ in pairs]  # the C side holds them too; this is for callers

    def clear_adapters(self) -> None:
        """Back to the base model."""
        call("nib_session_clear_adapters", self._handle)
        self.adapters = []

    def set_head(self, head: "Head") -> None:
        """Attaches a task head (Model.train_head / Model.load_head): classify() then returns its
        labels, on the embeddings of this session's model and active adapters."""
        call("nib_session_set_head", self._handle, head._handle)
        self.head: Optional["Head"] = head

    def clear_head(self) -> None:
        """Back to the model's own classifier."""
        call("nib_session_clear_head", self._handle)
        self.head = None

    # --- generation -----------------------------------------------------------------------------

    def _run(self, prompt: Union[str, Sequence[int]], kw: Dict[str, Any],
             stream: Optional[Callable[..., int]]) -> Generation:
        opts, keep = _generate_options(kw, stream)
        out = _lib.Generation()
        if isinstance(prompt, str):
            call("nib_generate", self._handle, prompt.encode("utf-8"), ctypes.byref(opts), ctypes.byref(out))
        else:
            ids = (_lib.c_token * len(prompt))(*prompt)
            call("nib_generate_ids", self._handle, ids, len(prompt), ctypes.byref(opts), ctypes.byref(out))
        del keep
        return self._generation(out)

    def _generation(self, out: Any) -> Generation:
        """Copies a session-owned nib_generation into last_generation."""
        g = Generation(
            text=ctypes.string_at(out.text, out.text_len).decode("utf-8"),
            ids=out.ids[: out.count], prompt_ids=out.prompt_ids[: out.prompt_count],
            stop_reason=STOP_REASONS[out.stop_reason],
            stats={"prompt_tokens": out.prompt_tokens, "reused_tokens": out.reused_tokens,
                   "generated_tokens": out.generated_tokens, "prefill_ms": out.prefill_ms,
                   "decode_ms": out.decode_ms})
        self.last_generation = g
        return g

    def generate_full(self, prompt: Union[str, Sequence[int]], **options: Any) -> Generation:
        """Continues a prompt (text or token ids); returns the whole Generation.

        Options: max_tokens, temperature (0: greedy), top_k, top_p, min_p, repetition_penalty,
        presence_penalty, frequency_penalty, penalty_window, seed, stop (str or list), stop_at_eos,
        add_special_tokens, logit_bias ({id: bias}).
        """
        return self._run(prompt, options, None)

    def generate(self, prompt: Union[str, Sequence[int]], **options: Any) -> str:
        """Continues a prompt and returns the generated text (see generate_full for the options)."""
        return self._run(prompt, options, None).text

    def stream(self, prompt: Union[str, Sequence[int]], **options: Any) -> Iterator[str]:
        """Yields pieces of valid UTF-8 as they are generated (see generate_full for the options).

        Generation runs on a worker thread one piece ahead of the consumer, so stopping the
        iteration early (break, close()) stops the generation at the next piece, and cancel() from
        another thread ends it. The whole result is in last_generation afterwards.
        """
        pieces: "queue.Queue[object]" = queue.Queue()
        done = object()
        demand = threading.Semaphore(0)  # one release per piece the consumer asks for
        stop = threading.Event()
        outcome: Dict[str, BaseException] = {}

        def on_piece(data: Any, size: int, _user: Any) -> int:
            demand.acquire()
            if stop.is_set():
                return 1
            pieces.put(ctypes.string_at(data, size).decode("utf-8"))
            return 0

        def worker() -> None:
            try:
                self._run(prompt, options, on_piece)
            except BaseException as e:  # re-raised in the consumer's thread
                outcome["error"] = e
            finally:
                pieces.put(done)

        thread = threading.Thread(target=worker, name="nib-stream", daemon=True)
        thread.start()
        try:
            while True:
                demand.release()
                item = pieces.get()
                if item is done:
                    break
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            demand.release()  # wake a callback waiting for demand so it sees the stop
            thread.join()
        if "error" in outcome:
            raise outcome["error"]

    def chat(self, messages: Sequence[Mapping[str, Any]], **options: Any) -> str:
        """Answers the conversation ([{"role": ..., "content": ...}, ...]) rendered with the model's
        chat template (adding the generation prompt) and tokenised without added special tokens
        (the template writes them). A later call whose conversation extends this one reuses the
        cached earlier turns (last_generation.stats["reused_tokens"]). Options as generate_full."""
        items = list(messages)
        roles = [str(m["role"]).encode("utf-8") for m in items]
        contents = [str(m["content"]).encode("utf-8") for m in items]
        arr = (_lib.Message * len(items))(*[_lib.Message(r, c) for r, c in zip(roles, contents)])
        opts, keep = _generate_options(options, None)
        out = _lib.Generation()
        call("nib_session_chat", self._handle, arr, len(items), ctypes.byref(opts), None, ctypes.byref(out))
        del keep
        return self._generation(out).text

    def score(self, prompt: str, continuations: Sequence[str]) -> List[ContinuationScore]:
        """log p(continuation | prompt) per continuation, with its tokens and per-token values. The
        prompt is fed once; whitespace ending it moves to the continuations (lm-evaluation-harness's
        rule, see nib_session_score)."""
        texts = list(continuations)
        outs = (_lib.ContinuationScore * max(1, len(texts)))()
        outs[0].struct_size = ctypes.sizeof(_lib.ContinuationScore)
        call("nib_session_score", self._handle, prompt.encode("utf-8"), _texts(texts), len(texts), outs)
        return [ContinuationScore(ids=o.ids[: o.count], token_logprobs=o.token_logprobs[: o.count], logprob=o.logprob)
                for o in outs[: len(texts)]]

    def choose(self, prompt: str, choices: Sequence[str], normalization: str = "sum") -> List[Choice]:
        """Probabilities of the choices as continuations of prompt, normalised over them: by the
        summed log-probabilities ("sum") or the per-token means ("mean", length normalisation)."""
        if normalization not in _NORMALIZATION:
            raise InvalidArgumentError(f"normalization must be one of {sorted(_NORMALIZATION)}, not {normalization!r}")
        opts = _lib.ChooseOptions()
        call("nib_choose_options_init", ctypes.byref(opts))
        opts.normalization = _NORMALIZATION[normalization]
        texts = list(choices)
        outs = (_lib.Choice * max(1, len(texts)))()
        outs[0].struct_size = ctypes.sizeof(_lib.Choice)
        call("nib_session_choose", self._handle, prompt.encode("utf-8"), _texts(texts), len(texts), ctypes.byref(opts),
             outs)
        return [Choice(text=t, tokens=o.tokens, logprob=o.logprob, mean_logprob=o.mean_logprob,
                       probability=o.probability) for t, o in zip(texts, outs)]

    def classify_in_context(self, examples: Sequence[Union[Tuple[str, str], Mapping[str, str]]], text: str,
                            instruction: str = "", separator: Optional[str] = None,
                            line_format: Optional[str] = None, normalization: str = "sum") -> InContextClassification:
        """Few-shot classification with a causal LM: builds a prompt from `examples` ((text, label)
        pairs or {"text", "label"} mappings; at least one, labels non-empty) and chooses among their
        distinct labels as choose() does.

        The prompt is `instruction`, then one `line_format` line per example, then the query's line
        up to its label; line_format holds {text} once, then {label} once, and any number of {sep}
        (replaced by `separator`). Defaults: separator "|", line_format "{text} {sep} {label} {sep}\\n".
        """
        if normalization not in _NORMALIZATION:
            raise InvalidArgumentError(f"normalization must be one of {sorted(_NORMALIZATION)}, not {normalization!r}")
        pairs = [(e["text"], e["label"]) if isinstance(e, Mapping) else tuple(e) for e in examples]
        arr = (_lib.LabelledExample * max(1, len(pairs)))(
            *[_lib.LabelledExample(str(t).encode("utf-8"), str(l).encode("utf-8")) for t, l in pairs])
        opts = _lib.InContextOptions()
        call("nib_in_context_options_init", ctypes.byref(opts))
        opts.instruction = instruction.encode("utf-8")
        opts.separator = None if separator is None else separator.encode("utf-8")
        opts.line_format = None if line_format is None else line_format.encode("utf-8")
        opts.normalization = _NORMALIZATION[normalization]
        out = _lib.InContextClassification()
        call("nib_session_classify_in_context", self._handle, arr, len(pairs), text.encode("utf-8"),
             ctypes.byref(opts), ctypes.byref(out))
        n = out.label_count
        choices = [Choice(text=_s(out.continuations[i]), tokens=out.tokens[i], logprob=out.logprobs[i],
                          mean_logprob=out.mean_logprobs[i], probability=out.probabilities[i]) for i in range(n)]
        return InContextClassification(label=_s(out.label), labels=[_s(out.labels[i]) for i in range(n)],
                                       choices=choices, prompt=_s(out.prompt))

    def logits(self, ids: Sequence[int], positions: Optional[Sequence[int]] = None) -> Any:
        """Next-token logits after each position of ids (default: the last), in a fresh context:
        a (positions, vocab) numpy array, or a list of lists without numpy."""
        if positions is None:
            positions = [len(ids) - 1]
        arr = (_lib.c_token * len(ids))(*ids)
        pos = (ctypes.c_int64 * len(positions))(*positions)
        out = ctypes.POINTER(ctypes.c_float)()
        vocab = ctypes.c_size_t()
        call("nib_logits", self._handle, arr, len(ids), pos, len(positions), ctypes.byref(out), ctypes.byref(vocab))
        return _rows(out, len(positions), vocab.value)

    # --- encoders -------------------------------------------------------------------------------

    def classify(self, text: Union[str, Sequence[str]], truncate: bool = True) -> Any:
        """label -> probability for a text, or a list of such dicts for a list of texts."""
        opts = _task_options(truncate=truncate)
        if isinstance(text, str):
            out = _lib.Classification()
            call("nib_classify", self._handle, text.encode("utf-8"), ctypes.byref(opts), ctypes.byref(out))
            return _scores(out)
        texts = list(text)
        if not texts:
            return []
        outs = (_lib.Classification * len(texts))()
        outs[0].struct_size = ctypes.sizeof(_lib.Classification)
        call("nib_classify_batch", self._handle, _texts(texts), len(texts), ctypes.byref(opts), outs)
        return [_scores(o) for o in outs]

    def fill_mask(self, text: Union[str, Sequence[str]], top_k: int = 5, truncate: bool = True) -> Any:
        """The top_k fillers of the mask token, best first: [{"token", "id", "score", "logit",
        "sequence"}, ...] for a text, or a list of such lists for a list of texts."""
        opts = _task_options(truncate=truncate, top_k=top_k)
        if isinstance(text, str):
            out = _lib.FillMaskResult()
            call("nib_fill_mask", self._handle, text.encode("utf-8"), ctypes.byref(opts), ctypes.byref(out))
            return _fills(out)
        texts = list(text)
        if not texts:
            return []
        outs = (_lib.FillMaskResult * len(texts))()
        outs[0].struct_size = ctypes.sizeof(_lib.FillMaskResult)
        call("nib_fill_mask_batch", self._handle, _texts(texts), len(texts), ctypes.byref(opts), outs)
        return [_fills(o) for o in outs]

    def embed(self, text: Union[str, Sequence[str]], pooling: str = "auto", normalize: bool = False,
              truncate: bool = True) -> Any:
        """The pooled embedding of a text (a vector) or of a list of texts (a matrix); numpy arrays
        when numpy is importable, lists otherwise."""
        opts = _task_options(truncate=truncate, pooling=pooling, normalize=normalize)
        out = ctypes.POINTER(ctypes.c_float)()
        dim = ctypes.c_size_t()
        if isinstance(text, str):
            call("nib_embed", self._handle, text.encode("utf-8"), ctypes.byref(opts), ctypes.byref(out),
                 ctypes.byref(dim))
            return _rows(out, 1, dim.value)[0]
        texts = list(text)
        call("nib_embed_batch", self._handle, _texts(texts), len(texts), ctypes.byref(opts), ctypes.byref(out),
             ctypes.byref(dim))
        return _rows(out, len(texts), dim.value)

    def tag_tokens(self, text: Union[str, Sequence[str]], aggregation: str = "none", truncate: bool = True) -> Any:
        """Token (or word) labels: [{"label", "score", "text", "start", "end"}, ...] ("O" left out)
        for a text, or a list of such lists for a list of texts. aggregation: "none", "first",
        "average" or "max" (group word pieces into words, as transformers' pipeline)."""
        opts = _task_options(truncate=truncate, aggregation=aggregation)
        if isinstance(text, str):
            out = _lib.Tags()
            call("nib_tag_tokens", self._handle, text.encode("utf-8"), ctypes.byref(opts), ctypes.byref(out))
            return _tags(out)
        texts = list(text)
        if not texts:
            return []
        outs = (_lib.Tags * len(texts))()
        outs[0].struct_size = ctypes.sizeof(_lib.Tags)
        call("nib_tag_tokens_batch", self._handle, _texts(texts), len(texts), ctypes.byref(opts), outs)
        return [_tags(o) for o in outs]


def _fills(out: Any) -> List[Dict[str, Any]]:
    return [{"token": _s(out.tokens[i]), "id": out.ids[i], "score": out.scores[i], "logit": out.logits[i],
             "sequence": _s(out.sequences[i])} for i in range(out.count)]


def _tags(out: Any) -> List[Dict[str, Any]]:
    return [{"label": _s(out.labels[i]), "score": out.scores[i], "text": _s(out.texts[i]), "start": out.starts[i],
             "end": out.ends[i]} for i in range(out.count)]


def _scores(c: Any) -> Dict[str, float]:
    return {_s(c.labels[i]): c.scores[i] for i in range(c.label_count)}


def _rows(p: Any, rows: int, cols: int) -> Any:
    """Copies rows x cols floats out of session-owned memory (valid only until the next call)."""
    if _np is not None:
        if rows * cols == 0:
            return _np.zeros((rows, cols), dtype=_np.float32)
        return _np.ctypeslib.as_array(p, shape=(rows, cols)).copy()
    flat = p[: rows * cols]
    return [flat[r * cols:(r + 1) * cols] for r in range(rows)]
