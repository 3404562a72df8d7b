# SPDX-License-Identifier: MIT
"""Status checking and handle ownership shared by every wrapper class."""

from __future__ import annotations

import ctypes
import threading
import weakref
from typing import Callable, Dict, Optional, TypeVar

from . import _library
from .errors import STATUS_EXCEPTIONS, ClosedHandleError, LemicaError


def lib() -> ctypes.CDLL:
    """The loaded, configured library."""
    return _library.library()


def error_for(status: int) -> LemicaError:
    """The exception for a failed call, with the library's message.

    Must be called right after the failing call on the same thread: the
    detailed message is thread-local in the library and replaced by the
    next failure.
    """
    cdll = lib()
    message = _library.decode(cdll.lemica_last_error_message())
    name = _library.decode(cdll.lemica_status_name(status))
    if not message:
        message = _library.decode(cdll.lemica_strerror(status))
    cls = STATUS_EXCEPTIONS.get(status, LemicaError)
    return cls(status, name, message)


def check(status: int) -> None:
    """Raise the matching :class:`LemicaError` for a negative status."""
    if status < 0:
        raise error_for(status)


# Live handles per kind, maintained by Handle: the binding's own count of
# what it has not freed yet, which the leak tests compare before and after.
_live_lock = threading.Lock()
_live: Dict[str, int] = {}


def live_handles() -> Dict[str, int]:
    """How many library objects of each kind this process holds unfreed."""
    with _live_lock:
        return {kind: count for kind, count in _live.items() if count}


def _count(kind: str, delta: int) -> None:
    with _live_lock:
        _live[kind] = _live.get(kind, 0) + delta


def _release(free: Callable[[int], None], kind: str, address: int) -> None:
    # Runs from close() or from the finalizer, exactly once per handle
    # (weakref.finalize guarantees that).
    free(address)
    _count(kind, -1)


H = TypeVar("H", bound="Handle")


class Handle:
    """Owner of one library object.

    The object is freed exactly once: by :meth:`close`, by leaving a
    ``with`` block, or by the finalizer when the Python object is garbage
    collected (also at interpreter exit). After closing, every method
    raises :class:`~lemica.errors.ClosedHandleError`.
    """

    #: Name of the C free function, set by subclasses.
    _free_name: str = ""
    #: Short kind name for messages and the live-handle count.
    _kind: str = "handle"

    __slots__ = ("_address", "_finalizer", "__weakref__")

    def __init__(self, address: int) -> None:
        if not address:
            raise ValueError(f"{self._kind}: NULL handle")
        self._address: Optional[int] = address
        _count(self._kind, 1)
        self._finalizer = weakref.finalize(self, _release, getattr(lib(), self._free_name),
                                           self._kind, address)

    @property
    def _ptr(self) -> int:
        """The C handle; raises if closed."""
        address = self._address
        if address is None:
            raise ClosedHandleError(f"this {self._kind} was closed")
        return address

    @property
    def closed(self) -> bool:
        """Whether the library object has been freed."""
        return self._address is None

    def close(self) -> None:
        """Free the library object now. Closing twice is harmless."""
        self._address = None
        self._finalizer()

    def __enter__(self: H) -> H:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def new_handle(constructor: Callable[..., int], *args) -> int:
    """Call ``lemica_X_new(..., &out)`` style functions; return ``out``."""
    out = ctypes.c_void_p()
    check(constructor(*args, ctypes.byref(out)))
    assert out.value, "the library returned success without an object"
    return out.value
