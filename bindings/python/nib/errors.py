"""nib_status codes as Python exceptions carrying the library's message."""
from __future__ import annotations

from typing import Callable, Dict, Type

from . import _lib


class NibError(Exception):
    """A nib call failed; `status` is the nib_status name, str(e) the library's message."""

    status = "internal"


class InvalidArgumentError(NibError, ValueError):
    status = "invalid argument"


class NibIOError(NibError, OSError):
    status = "io"


class FormatError(NibError, ValueError):
    status = "format"


class UnsupportedError(NibError):
    status = "unsupported"


class NibMemoryError(NibError, MemoryError):
    status = "out of memory"


class ContextFullError(NibError):
    status = "context full"


class CancelledError(NibError):
    status = "cancelled"


class InternalError(NibError):
    status = "internal"


_BY_CODE: Dict[int, Type[NibError]] = {
    1: InvalidArgumentError, 2: NibIOError, 3: FormatError, 4: UnsupportedError, 5: NibMemoryError,
    6: ContextFullError, 7: CancelledError, 8: InternalError,
}


def call(name: str, *args: object) -> None:
    """Calls nib function `name`; raises the matching NibError when it does not return NIB_OK."""
    fn: Callable[..., int] = getattr(_lib.lib, name, None)  # type: ignore[assignment]
    if fn is None:
        raise UnsupportedError(f"{name} is not in this libnib (version {_lib.lib.nib_version().decode()})")
    status = fn(*args)
    if status != 0:
        raise _BY_CODE.get(status, InternalError)(_lib.last_error())
