"""nib.Tokenizer: text to ids and back, and chat templates."""
from __future__ import annotations

import ctypes
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _lib
from .errors import call

_SPECIAL = ("bos", "eos", "unk", "pad", "cls", "sep", "mask")


@dataclass
class Encoding:
    """An encoded text: ids, vocabulary strings ("Ġworld", "##ing") and type ids."""

    ids: List[int]
    tokens: List[str]
    type_ids: List[int]


class Tokenizer:
    """A model's tokenizer (immutable; safe to share between threads)."""

    def __init__(self, handle: ctypes.c_void_p) -> None:
        self._handle = handle

    @classmethod
    def load(cls, path: str) -> "Tokenizer":
        """Loads the tokenizer files of a folder (tokenizer.json, tokenizer.model, vocab files)."""
        h = ctypes.c_void_p()
        call("nib_tokenizer_load", _lib.encode(str(path)), ctypes.byref(h))
        return cls(h)

    def close(self) -> None:
        if self._handle:
            _lib.lib.nib_tokenizer_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

    def encode_full(self, text: str, add_special_tokens: bool = True, pair: Optional[str] = None) -> Encoding:
        """Encodes text (or a text pair) with ids, tokens and type ids."""
        data = text.encode("utf-8")
        enc = ctypes.c_void_p()
        if pair is None:
            call("nib_tokenizer_encode", self._handle, data, len(data), int(add_special_tokens), ctypes.byref(enc))
        else:
            p = pair.encode("utf-8")
            call("nib_tokenizer_encode_pair", self._handle, data, len(data), p, len(p), int(add_special_tokens),
                 ctypes.byref(enc))
        try:
            ids_p = ctypes.POINTER(_lib.c_token)()
            types_p = ctypes.POINTER(ctypes.c_int32)()
            n = ctypes.c_size_t()
            call("nib_encoding_ids", enc, ctypes.byref(ids_p), ctypes.byref(n))
            ids = ids_p[: n.value]
            call("nib_encoding_type_ids", enc, ctypes.byref(types_p), ctypes.byref(n))
            type_ids = types_p[: n.value]
            tokens = []
            piece = ctypes.c_char_p()
            for i in range(len(ids)):
                call("nib_encoding_token", enc, i, ctypes.byref(piece))
                tokens.append((piece.value or b"").decode("utf-8", "replace"))
            return Encoding(ids, tokens, type_ids)
        finally:
            _lib.lib.nib_encoding_free(enc)

    def encode(self, text: str, add_special_tokens: bool = True) -> List[int]:
        """The token ids of text (with the model's special tokens unless add_special_tokens=False)."""
        return self.encode_full(text, add_special_tokens).ids

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The text of ids, by the tokenizer's own decoder."""
        arr = (_lib.c_token * len(ids))(*ids)
        out = ctypes.c_void_p()
        call("nib_tokenizer_decode", self._handle, arr, len(ids), int(skip_special_tokens), ctypes.byref(out), None)
        return _lib.take_string(out)

    @property
    def vocab_size(self) -> int:
        n = ctypes.c_size_t()
        call("nib_tokenizer_vocab_size", self._handle, ctypes.byref(n))
        return n.value

    def token_to_id(self, token: str) -> Optional[int]:
        """The id of a vocabulary string, or None."""
        out = _lib.c_token()
        try:
            call("nib_tokenizer_token_to_id", self._handle, token.encode("utf-8"), ctypes.byref(out))
        except ValueError:
            return None
        return out.value

    def id_to_token(self, id: int) -> str:
        out = ctypes.c_void_p()
        call("nib_tokenizer_id_to_token", self._handle, id, ctypes.byref(out))
        return _lib.take_string(out)

    def is_special(self, id: int) -> bool:
        out = ctypes.c_int()
        call("nib_tokenizer_is_special", self._handle, id, ctypes.byref(out))
        return bool(out.value)

    @property
    def special_tokens(self) -> Dict[str, int]:
        """The special tokens the tokenizer has: {"bos": 1, "eos": 2, ...}."""
        out = {}
        v = _lib.c_token()
        for i, name in enumerate(_SPECIAL):
            call("nib_tokenizer_special_token", self._handle, i, ctypes.byref(v))
            if v.value >= 0:
                out[name] = v.value
        return out

    def apply_chat_template(self, messages: Sequence[Mapping[str, Any]], add_generation_prompt: bool = False,
                            tools: Optional[Sequence[Any]] = None, documents: Optional[Sequence[Any]] = None,
                            template_name: Optional[str] = None, **variables: Any) -> str:
        """Renders messages ([{"role": ..., "content": ...}, ...]) with the folder's chat template."""
        opts = _lib.ChatOptions()
        call("nib_chat_options_init", ctypes.byref(opts))
        opts.add_generation_prompt = int(add_generation_prompt)
        opts.template_name = _lib.encode(template_name)
        opts.tools_json = _lib.encode(json.dumps(tools)) if tools is not None else None
        opts.documents_json = _lib.encode(json.dumps(documents)) if documents is not None else None
        opts.variables_json = _lib.encode(json.dumps(variables)) if variables else None
        out = ctypes.c_void_p()
        call("nib_chat_render_json", self._handle, json.dumps([dict(m) for m in messages]).encode("utf-8"), ctypes.byref(opts),
             ctypes.byref(out))
        return _lib.take_string(out)
