"""nib: run small transformer models on the CPU, through libnib's C ABI (ctypes).

    import nib
    model = nib.Model("stories260K", threads=2)
    print(model.generate("Once upon a time", max_tokens=32))

libnib is found through the NIB_LIBRARY environment variable, next to this package, or on the
dynamic linker's path; its ABI level is checked at import.
"""
from ._lib import REQUIRED_ABI
from ._lib import lib as _cdll
from .errors import (CancelledError, ContextFullError, FormatError, InternalError, InvalidArgumentError, NibError,
                     NibIOError, NibMemoryError, UnsupportedError)
from .adapter import Adapter
from .head import Head, HeadReport
from .model import Model, ModelInfo
from .session import Choice, ContinuationScore, Generation, InContextClassification, Session
from .tokenizer import Encoding, Tokenizer

__version__ = "0.1.0"
#: The loaded library's version and ABI level.
library_version: str = _cdll.nib_version().decode()
abi_version: int = _cdll.nib_abi_version()

__all__ = ["Adapter", "Head", "HeadReport", "Model", "ModelInfo", "Session", "Generation", "Choice", "ContinuationScore", "InContextClassification", "Tokenizer", "Encoding", "NibError",
           "InvalidArgumentError", "NibIOError", "FormatError", "UnsupportedError", "NibMemoryError",
           "ContextFullError", "CancelledError", "InternalError", "library_version", "abi_version", "REQUIRED_ABI"]
