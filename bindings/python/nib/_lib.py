"""Loading libnib and declaring the C ABI (capi/include/nib.h) for ctypes.

The struct layouts below mirror nib.h field for field; the library reads only `struct_size` bytes,
so a struct declared here from an older header keeps working with a newer library.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_float, c_int, c_int32,
                    c_int64, c_size_t, c_uint64, c_void_p)
from pathlib import Path
from typing import Any, Optional

#: The lowest nib_abi_version() this package can use. It also declares ABI 2's functions (batch
#: fill-mask and tagging, classify_in_context), ABI 3's (task heads) and ABI 4's (the f16 KV cache
#: session option); with an older library those raise UnsupportedError. ABI 5 adds the int4 weight
#: type, which an older library rejects as an invalid weight type.
REQUIRED_ABI = 1

c_token = c_int32
PROGRESS_FN = CFUNCTYPE(c_int, c_float, c_void_p)
STREAM_FN = CFUNCTYPE(c_int, ctypes.POINTER(ctypes.c_char), c_size_t, c_void_p)


class _Sized(Structure):
    """A nib struct: struct_size is set to this declaration's size on construction."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.struct_size = ctypes.sizeof(self)


class LoadOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("threads", c_int32), ("weight_type", c_int32),
                ("n_ctx", c_int64), ("max_memory_bytes", c_uint64), ("progress", PROGRESS_FN),
                ("progress_user_data", c_void_p)]


class ModelInfo(_Sized):
    _fields_ = [("struct_size", c_size_t), ("path", c_char_p), ("architecture", c_char_p),
                ("model_type", c_char_p), ("kind", c_char_p), ("head", c_char_p),
                ("problem_type", c_char_p), ("tokenizer_kind", c_char_p), ("hidden_size", c_int64),
                ("num_layers", c_int64), ("num_heads", c_int64), ("num_kv_heads", c_int64),
                ("head_dim", c_int64), ("intermediate_size", c_int64), ("vocab_size", c_int64),
                ("max_positions", c_int64), ("parameter_count", c_int64), ("num_labels", c_size_t)]


class Message(Structure):
    _fields_ = [("role", c_char_p), ("content", c_char_p)]


class ChatOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("add_generation_prompt", c_int32), ("template_name", c_char_p),
                ("tools_json", c_char_p), ("documents_json", c_char_p), ("variables_json", c_char_p)]


class SessionOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("n_ctx", c_int64), ("threads", c_int32),
                ("drop_oldest_on_overflow", c_int32), ("kv_cache_type", c_int32), ("reserved", c_int32)]


class GenerateOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("max_new_tokens", c_int32), ("temperature", c_float),
                ("top_k", c_int32), ("top_p", c_float), ("min_p", c_float), ("repetition_penalty", c_float),
                ("presence_penalty", c_float), ("frequency_penalty", c_float), ("penalty_window", c_int32),
                ("seed", c_uint64), ("stop", POINTER(c_char_p)), ("stop_count", c_size_t),
                ("stop_at_eos", c_int32), ("add_special_tokens", c_int32),
                ("logit_bias_ids", POINTER(c_token)), ("logit_bias_values", POINTER(c_float)),
                ("logit_bias_count", c_size_t), ("stream", STREAM_FN), ("stream_user_data", c_void_p)]


class Generation(_Sized):
    _fields_ = [("struct_size", c_size_t), ("text", POINTER(ctypes.c_char)), ("text_len", c_size_t),
                ("prompt_ids", POINTER(c_token)), ("prompt_count", c_size_t), ("ids", POINTER(c_token)),
                ("count", c_size_t), ("stop_reason", c_int32), ("prompt_tokens", c_int64),
                ("reused_tokens", c_int64), ("generated_tokens", c_int64), ("prefill_ms", c_double),
                ("decode_ms", c_double)]


class ContinuationScore(_Sized):
    _fields_ = [("struct_size", c_size_t), ("ids", POINTER(c_token)), ("token_logprobs", POINTER(c_float)),
                ("count", c_size_t), ("logprob", c_double)]


class ChooseOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("normalization", c_int32), ("reserved", c_int32)]


class Choice(_Sized):
    _fields_ = [("struct_size", c_size_t), ("tokens", c_int64), ("logprob", c_double), ("mean_logprob", c_double),
                ("probability", c_double)]


class LabelledExample(ctypes.Structure):
    _fields_ = [("text", c_char_p), ("label", c_char_p)]


class InContextOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("instruction", c_char_p), ("separator", c_char_p),
                ("line_format", c_char_p), ("normalization", c_int32), ("reserved", c_int32)]


class InContextClassification(_Sized):
    _fields_ = [("struct_size", c_size_t), ("label", c_char_p), ("label_index", c_size_t), ("label_count", c_size_t),
                ("labels", POINTER(c_char_p)), ("continuations", POINTER(c_char_p)), ("tokens", POINTER(c_int64)),
                ("logprobs", POINTER(c_double)), ("mean_logprobs", POINTER(c_double)),
                ("probabilities", POINTER(c_double)), ("prompt", c_char_p)]


class TaskOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("truncate", c_int32), ("pooling", c_int32), ("normalize", c_int32),
                ("aggregation", c_int32), ("top_k", c_int32), ("reserved", c_int32)]


class Classification(_Sized):
    _fields_ = [("struct_size", c_size_t), ("label", c_char_p), ("label_index", c_size_t),
                ("label_count", c_size_t), ("labels", POINTER(c_char_p)), ("scores", POINTER(c_float)),
                ("logits", POINTER(c_float))]


class FillMaskResult(_Sized):
    _fields_ = [("struct_size", c_size_t), ("count", c_size_t), ("ids", POINTER(c_token)),
                ("tokens", POINTER(c_char_p)), ("sequences", POINTER(c_char_p)), ("scores", POINTER(c_float)),
                ("logits", POINTER(c_float))]


class Tags(_Sized):
    _fields_ = [("struct_size", c_size_t), ("count", c_size_t), ("labels", POINTER(c_char_p)),
                ("scores", POINTER(c_float)), ("texts", POINTER(c_char_p)), ("starts", POINTER(c_int64)),
                ("ends", POINTER(c_int64))]



class AdapterInfo(_Sized):
    _fields_ = [("struct_size", c_size_t), ("path", c_char_p), ("task_type", c_char_p), ("rank", c_int64),
                ("alpha", c_double), ("parameter_count", c_int64), ("label_count", c_size_t), ("rslora", c_int32),
                ("reserved", c_int32)]


class TrainHeadOptions(_Sized):
    _fields_ = [("struct_size", c_size_t), ("pooling", c_int32), ("normalize", c_int32), ("multi_label", c_int32),
                ("hidden_units", c_int32), ("l2", c_double), ("tolerance", c_double), ("learning_rate", c_double),
                ("validation_fraction", c_double), ("seed", c_uint64), ("max_iterations", c_int32),
                ("folds", c_int32), ("patience", c_int32), ("balanced", c_int32), ("threads", c_int32),
                ("reserved", c_int32), ("adapters", POINTER(c_void_p)), ("adapter_weights", POINTER(c_float)),
                ("adapter_count", c_size_t), ("progress", PROGRESS_FN), ("progress_user_data", c_void_p)]


class HeadInfo(_Sized):
    _fields_ = [("struct_size", c_size_t), ("label_count", c_size_t), ("feature_dim", c_int64),
                ("hidden_units", c_int64), ("multi_label", c_int32), ("pooling", c_int32), ("normalize", c_int32),
                ("reserved", c_int32), ("base_architecture", c_char_p), ("base_checksum", c_char_p)]


class HeadReport(_Sized):
    _fields_ = [("struct_size", c_size_t), ("examples", c_int64), ("features_computed", c_int64),
                ("cv_accuracy", c_double), ("cv_macro_f1", c_double), ("train_loss", c_double),
                ("feature_ms", c_double), ("fit_ms", c_double), ("folds", c_int32), ("iterations", c_int32),
                ("converged", c_int32), ("reserved", c_int32), ("label_count", c_size_t),
                ("confusion", POINTER(c_int64)), ("fold_accuracy", POINTER(c_double)),
                ("fold_macro_f1", POINTER(c_double)), ("fold_iterations", POINTER(c_int32))]


_P = POINTER
# name: argument types (every function returns nib_status unless listed in _OTHER_RESTYPES).
_SIGNATURES = {
    "nib_abi_version": [],
    "nib_version": [],
    "nib_last_error": [],
    "nib_status_name": [c_int],
    "nib_string_free": [c_void_p],
    "nib_load_options_init": [_P(LoadOptions)],
    "nib_model_load": [c_char_p, _P(LoadOptions), _P(c_void_p)],
    "nib_model_free": [c_void_p],
    "nib_model_get_info": [c_void_p, _P(ModelInfo)],
    "nib_model_label": [c_void_p, c_size_t, _P(c_char_p)],
    "nib_model_tokenizer": [c_void_p, _P(c_void_p)],
    "nib_tokenizer_load": [c_char_p, _P(c_void_p)],
    "nib_tokenizer_free": [c_void_p],
    "nib_tokenizer_encode": [c_void_p, c_char_p, c_size_t, c_int, _P(c_void_p)],
    "nib_tokenizer_encode_pair": [c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_int, _P(c_void_p)],
    "nib_encoding_free": [c_void_p],
    "nib_encoding_ids": [c_void_p, _P(_P(c_token)), _P(c_size_t)],
    "nib_encoding_type_ids": [c_void_p, _P(_P(c_int32)), _P(c_size_t)],
    "nib_encoding_token": [c_void_p, c_size_t, _P(c_char_p)],
    "nib_tokenizer_decode": [c_void_p, _P(c_token), c_size_t, c_int, _P(c_void_p), _P(c_size_t)],
    "nib_tokenizer_vocab_size": [c_void_p, _P(c_size_t)],
    "nib_tokenizer_token_to_id": [c_void_p, c_char_p, _P(c_token)],
    "nib_tokenizer_id_to_token": [c_void_p, c_token, _P(c_void_p)],
    "nib_tokenizer_is_special": [c_void_p, c_token, _P(c_int)],
    "nib_tokenizer_special_token": [c_void_p, c_int, _P(c_token)],
    "nib_chat_options_init": [_P(ChatOptions)],
    "nib_chat_render": [c_void_p, _P(Message), c_size_t, _P(ChatOptions), _P(c_void_p)],
    "nib_chat_render_json": [c_void_p, c_char_p, _P(ChatOptions), _P(c_void_p)],
    "nib_session_options_init": [_P(SessionOptions)],
    "nib_session_create": [c_void_p, _P(SessionOptions), _P(c_void_p)],
    "nib_session_free": [c_void_p],
    "nib_session_reset": [c_void_p],
    "nib_session_cancel": [c_void_p],
    "nib_generate_options_init": [_P(GenerateOptions)],
    "nib_generate": [c_void_p, c_char_p, _P(GenerateOptions), _P(Generation)],
    "nib_generate_ids": [c_void_p, _P(c_token), c_size_t, _P(GenerateOptions), _P(Generation)],
    "nib_logits": [c_void_p, _P(c_token), c_size_t, _P(c_int64), c_size_t, _P(_P(c_float)), _P(c_size_t)],
    "nib_session_chat": [c_void_p, _P(Message), c_size_t, _P(GenerateOptions), _P(ChatOptions), _P(Generation)],
    "nib_session_score": [c_void_p, c_char_p, _P(c_char_p), c_size_t, _P(ContinuationScore)],
    "nib_choose_options_init": [_P(ChooseOptions)],
    "nib_session_choose": [c_void_p, c_char_p, _P(c_char_p), c_size_t, _P(ChooseOptions), _P(Choice)],
    "nib_in_context_options_init": [_P(InContextOptions)],
    "nib_session_classify_in_context": [c_void_p, _P(LabelledExample), c_size_t, c_char_p, _P(InContextOptions),
                                        _P(InContextClassification)],
    "nib_task_options_init": [_P(TaskOptions)],
    "nib_classify": [c_void_p, c_char_p, _P(TaskOptions), _P(Classification)],
    "nib_classify_batch": [c_void_p, _P(c_char_p), c_size_t, _P(TaskOptions), _P(Classification)],
    "nib_fill_mask": [c_void_p, c_char_p, _P(TaskOptions), _P(FillMaskResult)],
    "nib_embed": [c_void_p, c_char_p, _P(TaskOptions), _P(_P(c_float)), _P(c_size_t)],
    "nib_embed_batch": [c_void_p, _P(c_char_p), c_size_t, _P(TaskOptions), _P(_P(c_float)), _P(c_size_t)],
    "nib_tag_tokens": [c_void_p, c_char_p, _P(TaskOptions), _P(Tags)],
    "nib_fill_mask_batch": [c_void_p, _P(c_char_p), c_size_t, _P(TaskOptions), _P(FillMaskResult)],
    "nib_tag_tokens_batch": [c_void_p, _P(c_char_p), c_size_t, _P(TaskOptions), _P(Tags)],
    "nib_adapter_load": [c_void_p, c_char_p, _P(c_void_p)],
    "nib_adapter_free": [c_void_p],
    "nib_adapter_get_info": [c_void_p, _P(AdapterInfo)],
    "nib_adapter_label": [c_void_p, c_size_t, _P(c_char_p)],
    "nib_session_use_adapters": [c_void_p, _P(c_void_p), _P(c_float), c_size_t],
    "nib_session_clear_adapters": [c_void_p],
    # ABI 3: task heads
    "nib_train_head_options_init": [_P(TrainHeadOptions)],
    "nib_train_head": [c_void_p, _P(c_char_p), _P(c_char_p), c_size_t, _P(TrainHeadOptions), _P(c_void_p)],
    "nib_head_load": [c_void_p, c_char_p, _P(c_void_p)],
    "nib_head_save": [c_void_p, c_char_p],
    "nib_head_free": [c_void_p],
    "nib_head_get_info": [c_void_p, _P(HeadInfo)],
    "nib_head_label": [c_void_p, c_size_t, _P(c_char_p)],
    "nib_head_get_report": [c_void_p, _P(HeadReport)],
    "nib_session_set_head": [c_void_p, c_void_p],
    "nib_session_clear_head": [c_void_p],
}
_OTHER_RESTYPES = {"nib_abi_version": c_int, "nib_version": c_char_p, "nib_last_error": c_char_p,
                   "nib_status_name": c_char_p}


def _candidates() -> list:
    env = os.environ.get("NIB_LIBRARY")
    if env:
        return [env]  # an explicit choice is the only one tried
    here = Path(__file__).resolve().parent
    found = sorted(here.glob("libnib.so*"))
    system = ctypes.util.find_library("nib")
    return [str(p) for p in found] + ([system] if system else []) + ["libnib.so.0", "libnib.so"]


def _load() -> ctypes.CDLL:
    errors = []
    for candidate in _candidates():
        try:
            lib = ctypes.CDLL(candidate)
            break
        except OSError as e:
            errors.append(f"{candidate}: {e}")
    else:
        raise ImportError("nib: cannot load libnib (set NIB_LIBRARY to the path of libnib.so): " +
                          "; ".join(errors))
    for name, argtypes in _SIGNATURES.items():
        fn = getattr(lib, name, None)
        if fn is None:
            continue  # an older library: calls to it raise a clear error in call()
        fn.argtypes = argtypes
        fn.restype = _OTHER_RESTYPES.get(name, c_int)
    abi = lib.nib_abi_version()
    if abi < REQUIRED_ABI:
        raise ImportError(f"nib: libnib at {lib._name} has ABI {abi}; this package needs {REQUIRED_ABI} or newer")
    return lib


lib = _load()


def last_error() -> str:
    return (lib.nib_last_error() or b"").decode("utf-8", "replace")


def encode(s: Optional[str]) -> Optional[bytes]:
    return None if s is None else s.encode("utf-8")


def take_string(p: c_void_p) -> str:
    """A library-allocated string (caller frees with nib_string_free) as str, freed."""
    try:
        return ctypes.string_at(p).decode("utf-8") if p else ""
    finally:
        lib.nib_string_free(p)
