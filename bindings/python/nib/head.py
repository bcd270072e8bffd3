"""nib.Head: a task head trained in-process on a model's pooled embeddings (Model.train_head)."""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import _lib
from .errors import InvalidArgumentError, call

if TYPE_CHECKING:
    from .adapter import Adapter
    from .model import Model

_POOLING = {"auto": 0, "mean": 1, "cls": 2, "last": 3}
_POOLING_NAMES = {v: k for k, v in _POOLING.items()}


@dataclass(frozen=True)
class HeadReport:
    """What training measured: k-fold cross-validation (out-of-fold predictions) and the final fit."""

    examples: int = 0
    features_computed: int = 0  # texts that needed a forward pass (the rest came from the cache)
    folds: int = 0
    cv_accuracy: float = 0.0
    cv_macro_f1: float = 0.0
    confusion: List[List[int]] = field(default_factory=list)  # [true label][predicted label]
    per_fold: List[Dict[str, float]] = field(default_factory=list)
    iterations: int = 0
    converged: bool = False
    train_loss: float = 0.0
    feature_ms: float = 0.0
    fit_ms: float = 0.0


class Head:
    """A trained head (linear or one hidden layer, softmax or sigmoid) of one base model. Attach it
    with Session.set_head(); classify() then returns its labels. save() writes a small folder that
    Model.load_head() reads back (only against the same base model)."""

    def __init__(self, handle: ctypes.c_void_p) -> None:
        self._handle = handle
        i = _lib.HeadInfo()
        call("nib_head_get_info", handle, ctypes.byref(i))
        label = ctypes.c_char_p()
        self.labels: List[str] = []
        for n in range(i.label_count):
            call("nib_head_label", handle, n, ctypes.byref(label))
            self.labels.append((label.value or b"").decode("utf-8"))
        self.feature_dim: int = i.feature_dim
        self.hidden_units: int = i.hidden_units
        self.multi_label: bool = bool(i.multi_label)
        self.pooling: str = _POOLING_NAMES.get(i.pooling, "mean")
        self.normalize: bool = bool(i.normalize)
        self.base_architecture: str = (i.base_architecture or b"").decode("utf-8")
        self.base_checksum: str = (i.base_checksum or b"").decode("utf-8")
        r = _lib.HeadReport()
        call("nib_head_get_report", handle, ctypes.byref(r))
        k = r.label_count
        confusion = [[r.confusion[a * k + b] for b in range(k)] for a in range(k)] if r.confusion else []
        per_fold = [{"accuracy": r.fold_accuracy[f], "macro_f1": r.fold_macro_f1[f],
                     "iterations": r.fold_iterations[f]} for f in range(r.folds)] if r.fold_accuracy else []
        self.report = HeadReport(r.examples, r.features_computed, r.folds, r.cv_accuracy, r.cv_macro_f1, confusion,
                                 per_fold, r.iterations, bool(r.converged), r.train_loss, r.feature_ms, r.fit_ms)

    @classmethod
    def load(cls, model: "Model", path: Union[str, "os.PathLike[str]"]) -> "Head":
        h = ctypes.c_void_p()
        call("nib_head_load", model._handle, _lib.encode(os.fspath(path)), ctypes.byref(h))
        return cls(h)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes head_config.json and head.safetensors into the folder (created if needed)."""
        call("nib_head_save", self._handle, _lib.encode(os.fspath(path)))

    def close(self) -> None:
        """Frees the handle (sessions using the head keep it alive)."""
        if getattr(self, "_handle", None):
            _lib.lib.nib_head_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"nib.Head(labels={self.labels!r}, pooling={self.pooling!r}, hidden_units={self.hidden_units})"


Example = Union[Tuple[str, Union[str, Sequence[str]]], Dict[str, Any]]


def train(model: "Model", examples: Sequence[Example], *, pooling: str = "auto", normalize: bool = False,
          multi_label: bool = False, hidden_units: int = 0, l2: float = 1e-2, folds: int = 5,
          balanced: bool = False, validation_fraction: float = 0.0, patience: int = 20,
          max_iterations: int = 1000, tolerance: float = 1e-6, learning_rate: float = 1e-2, seed: int = 0,
          threads: int = 0, adapters: Sequence[Union["Adapter", Tuple["Adapter", float]]] = (),
          progress: Optional[Callable[[float], Optional[bool]]] = None) -> Head:
    if pooling not in _POOLING:
        raise InvalidArgumentError(f"pooling must be one of {sorted(_POOLING)}, not {pooling!r}")
    texts: List[bytes] = []
    labels: List[bytes] = []
    for e in examples:
        text, label = (e.get("text"), e.get("labels", e.get("label"))) if isinstance(e, dict) else e
        if not isinstance(text, str):
            raise InvalidArgumentError(f"example {len(texts)}: the text must be a str")
        if isinstance(label, str):
            label = [label]
        if not multi_label and len(label) != 1:
            raise InvalidArgumentError(f"example {len(texts)} has {len(label)} labels; pass multi_label=True")
        if any("\n" in l for l in label):
            raise InvalidArgumentError(f"example {len(texts)}: labels may not contain newlines")
        texts.append(text.encode("utf-8"))
        labels.append("\n".join(label).encode("utf-8"))
    o = _lib.TrainHeadOptions()
    call("nib_train_head_options_init", ctypes.byref(o))
    o.pooling, o.normalize, o.multi_label, o.hidden_units = _POOLING[pooling], int(normalize), int(multi_label), hidden_units
    o.l2, o.tolerance, o.learning_rate, o.validation_fraction = l2, tolerance, learning_rate, validation_fraction
    o.seed, o.max_iterations, o.folds, o.patience = seed, max_iterations, folds, patience
    o.balanced, o.threads = int(balanced), threads
    pairs = [a if isinstance(a, tuple) else (a, 1.0) for a in adapters]
    handles = (ctypes.c_void_p * max(1, len(pairs)))(*[a._handle for a, _ in pairs])
    weights = (ctypes.c_float * max(1, len(pairs)))(*[w for _, w in pairs])
    if pairs:
        o.adapters = ctypes.cast(handles, ctypes.POINTER(ctypes.c_void_p))
        o.adapter_weights = ctypes.cast(weights, ctypes.POINTER(ctypes.c_float))
        o.adapter_count = len(pairs)
    failure: List[BaseException] = []
    if progress is not None:
        def on_progress(fraction: float, _user: Any) -> int:
            try:
                return 1 if progress(fraction) is False else 0
            except BaseException as e:  # a raising callback cancels training, then re-raises
                failure.append(e)
                return 1
        o.progress = _lib.PROGRESS_FN(on_progress)  # alive until nib_train_head returns
    text_array = (ctypes.c_char_p * max(1, len(texts)))(*texts)
    label_array = (ctypes.c_char_p * max(1, len(labels)))(*labels)
    h = ctypes.c_void_p()
    try:
        call("nib_train_head", model._handle, text_array, label_array, len(texts), ctypes.byref(o), ctypes.byref(h))
    except BaseException:
        if failure:
            raise failure[0]
        raise
    return Head(h)
