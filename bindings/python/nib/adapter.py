"""nib.Adapter: a LoRA adapter (PEFT layout) loaded against its base model."""
from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING, List, Union

from . import _lib
from .errors import call

if TYPE_CHECKING:
    from .model import Model


class Adapter:
    """A LoRA adapter; attach it with Session.use_adapters(). The base model is never modified."""

    def __init__(self, model: "Model", path: Union[str, "os.PathLike[str]"]) -> None:
        self._handle = None
        h = ctypes.c_void_p()
        call("nib_adapter_load", model._handle, _lib.encode(os.fspath(path)), ctypes.byref(h))
        self._handle = h
        i = _lib.AdapterInfo()
        call("nib_adapter_get_info", h, ctypes.byref(i))
        self.path: str = (i.path or b"").decode("utf-8")
        self.task_type: str = (i.task_type or b"").decode("utf-8")
        self.rank: int = i.rank
        self.alpha: float = i.alpha
        self.parameter_count: int = i.parameter_count
        label = ctypes.c_char_p()
        self.labels: List[str] = []
        for n in range(i.label_count):
            call("nib_adapter_label", h, n, ctypes.byref(label))
            self.labels.append((label.value or b"").decode("utf-8"))

    def close(self) -> None:
        """Frees the handle (sessions using the adapter keep it alive)."""
        if getattr(self, "_handle", None):
            _lib.lib.nib_adapter_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"nib.Adapter({self.path!r}, rank={self.rank}, alpha={self.alpha})"
