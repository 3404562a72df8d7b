# SPDX-License-Identifier: MIT
"""Status checking and handle ownership shared by every wrapper class."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import weakref
from threading import get_ident
from typing import Callable, Dict, Iterator, List, Optional, Tuple, TypeVar, Union

from . import _library
from .errors import STATUS_EXCEPTIONS, ClosedHandleError, LemicaError, ReentrantUseError


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


class HandleLock:
    """The lock every handle carries: shared for const calls, exclusive for
    the rest, and refusing re-entrant use instead of deadlocking.

    ctypes releases the GIL during every foreign call, so without it two
    Python threads could run the library on one object at once, which the
    C headers forbid ("a solver is used by one thread at a time"). Const
    calls (queries, formatting, copying, a solve's read of its graph) may
    share the object, as the headers allow; calls that change it, and
    closing it, wait until they have it to themselves.

    A thread that already holds the lock exclusively (a solve running a
    Python comparator holds its solver so) and asks for it again, or holds
    it shared and asks for it exclusively (a comparator closing the graph
    being solved), gets :class:`~lemica.errors.ReentrantUseError` at once:
    waiting would deadlock and going ahead would free or change the object
    under the running call. Shared use nested in shared use is allowed (a
    comparator may read the graph it is solving). Readers never wait for a
    waiting writer, so nested shared use cannot deadlock either; a writer
    waits until no thread reads.
    """

    __slots__ = ("_mutex", "_condition", "_writer", "_readers", "_waiting")

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        # Made on first contention: most handles never wait.
        self._condition: Optional[threading.Condition] = None
        self._writer: Optional[int] = None
        self._readers: Dict[int, int] = {}
        # Threads waiting in _condition: release() only notifies when there
        # are some (notify_all costs more than the rest of a query).
        self._waiting = 0

    def _waiter(self) -> threading.Condition:
        if self._condition is None:
            self._condition = threading.Condition(self._mutex)
        return self._condition

    def _wait(self) -> None:
        condition = self._waiter()
        self._waiting += 1
        try:
            condition.wait()
        finally:
            self._waiting -= 1

    def acquire(self, exclusive: bool, kind: str) -> None:
        me = get_ident()
        with self._mutex:
            if self._writer == me or (exclusive and me in self._readers):
                raise ReentrantUseError(
                    f"this {kind} is already in use by a call on this thread (a "
                    f"user comparator or other callback running inside a library "
                    f"call); it cannot close, change or reuse the {kind} that "
                    f"call is working on")
            if exclusive:
                while self._writer is not None or self._readers:
                    self._wait()
                self._writer = me
            else:
                if me not in self._readers:
                    while self._writer is not None:
                        self._wait()
                self._readers[me] = self._readers.get(me, 0) + 1

    def try_acquire_exclusive(self, timeout: float) -> bool:
        """For the finalizer at interpreter exit: never wait forever."""
        with self._mutex:
            self._waiting += 1
            try:
                if not self._waiter().wait_for(
                        lambda: self._writer is None and not self._readers, timeout):
                    return False
            finally:
                self._waiting -= 1
            self._writer = get_ident()
            return True

    def release(self, exclusive: bool) -> None:
        with self._mutex:
            if exclusive:
                self._writer = None
            else:
                me = get_ident()
                left = self._readers[me] - 1
                if left:
                    self._readers[me] = left
                else:
                    del self._readers[me]
            if self._waiting:
                self._waiter().notify_all()


class _Use:
    """``with handle._shared() as address``: one handle's lock for a call."""

    __slots__ = ("_handle", "_exclusive")

    def __init__(self, handle: "Handle", exclusive: bool) -> None:
        self._handle = handle
        self._exclusive = exclusive

    def __enter__(self) -> int:
        handle = self._handle
        handle._lock.acquire(self._exclusive, handle._kind)
        address = handle._address
        if address is None:
            handle._lock.release(self._exclusive)
            raise ClosedHandleError(f"this {handle._kind} was closed")
        return address

    def __exit__(self, *exc_info: object) -> None:
        self._handle._lock.release(self._exclusive)


def _release(free: Callable[[int], None], kind: str, address: int,
             lock: HandleLock) -> None:
    # The finalizer: runs when the Python object is collected (then no
    # call can be using it: a running call holds a reference) or at
    # interpreter exit, where a daemon thread may still be inside a call.
    # Never free under a running call: wait a little, else leak.
    if not lock.try_acquire_exclusive(1.0):
        return
    try:
        free(address)
        _count(kind, -1)
    finally:
        lock.release(True)


H = TypeVar("H", bound="Handle")


class Handle:
    """Owner of one library object.

    The object is freed exactly once: by :meth:`close`, by leaving a
    ``with`` block, or by the finalizer when the Python object is garbage
    collected (also at interpreter exit). After closing, every method
    raises :class:`~lemica.errors.ClosedHandleError`.

    Every call into the library goes through :meth:`_shared` or
    :meth:`_exclusive` (or :func:`using` for calls on several handles),
    which hold the handle's :class:`HandleLock` for the call: see the
    threading rules in docs/python.md.
    """

    #: Name of the C free function, set by subclasses.
    _free_name: str = ""
    #: Short kind name for messages and the live-handle count.
    _kind: str = "handle"

    __slots__ = ("_address", "_finalizer", "_lock", "__weakref__")

    def __init__(self, address: int) -> None:
        if not address:
            raise ValueError(f"{self._kind}: NULL handle")
        self._address: Optional[int] = address
        self._lock = HandleLock()
        _count(self._kind, 1)
        self._finalizer = weakref.finalize(self, _release, getattr(lib(), self._free_name),
                                           self._kind, address, self._lock)

    @property
    def _ptr(self) -> int:
        """The C handle; raises if closed. Only for use under the lock."""
        address = self._address
        if address is None:
            raise ClosedHandleError(f"this {self._kind} was closed")
        return address

    def _shared(self) -> _Use:
        """Hold the lock shared (const calls): ``with h._shared() as address``."""
        return _Use(self, False)

    def _exclusive(self) -> _Use:
        """Hold the lock exclusively (calls that change the object)."""
        return _Use(self, True)

    @property
    def closed(self) -> bool:
        """Whether the library object has been freed."""
        return self._address is None

    def close(self) -> None:
        """Free the library object now. Closing twice is harmless.

        Waits until no other thread is using the object; raises
        ReentrantUseError when called from inside a call on it (a
        comparator closing its own solver or the graph being solved).
        """
        if self._address is None:
            return
        self._lock.acquire(True, self._kind)
        try:
            address, self._address = self._address, None
            if address is None:
                return
            found = self._finalizer.detach()
            if found is not None:
                free = found[2][0]
                free(address)
                _count(self._kind, -1)
        finally:
            self._lock.release(True)

    def __enter__(self: H) -> H:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextlib.contextmanager
def using(*uses: Tuple[Optional["Handle"], bool]) -> Iterator[Tuple[Optional[int], ...]]:
    """Hold several handles' locks for one call; yields their C handles.

    ``uses`` are ``(handle, exclusive)`` pairs (a None handle yields None,
    for optional arguments). The locks are taken in one global order (by
    ``id`` of the lock), so two threads taking the same pair in opposite
    argument orders (``a.merge(b)`` and ``b.merge(a)``) cannot deadlock; a
    handle named twice is locked once, exclusively if either use is.
    """
    wanted: Dict[int, Tuple[Handle, bool]] = {}
    for handle, exclusive in uses:
        if handle is None:
            continue
        key = id(handle._lock)
        previous = wanted.get(key)
        wanted[key] = (handle, exclusive or (previous is not None and previous[1]))
    held: List[Tuple[HandleLock, bool]] = []
    try:
        for key in sorted(wanted):
            handle, exclusive = wanted[key]
            handle._lock.acquire(exclusive, handle._kind)
            held.append((handle._lock, exclusive))
        yield tuple(None if handle is None else handle._ptr for handle, _ in uses)
    finally:
        for lock, exclusive in reversed(held):
            lock.release(exclusive)


def c_string(value: Union[str, bytes, "os.PathLike"], what: str,
             path: bool = False) -> bytes:
    """``value`` as the bytes of a NUL-terminated C string, refusing a NUL.

    C reads such a string up to its first NUL, so ``'x.graph\\x00.bak'``
    would silently become ``'x.graph'``: a different file, key or value
    than the caller named. Paths are encoded as the OS does
    (``os.fsencode``), other text as UTF-8.
    """
    if path:
        data = os.fsencode(value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        data = str(value).encode("utf-8")
    position = data.find(b"\0")
    if position >= 0:
        raise ValueError(f"{what} {value!r} contains a NUL character at offset "
                         f"{position}; the C library would read it only up to there")
    return data


def new_handle(constructor: Callable[..., int], *args) -> int:
    """Call ``lemica_X_new(..., &out)`` style functions; return ``out``."""
    out = ctypes.c_void_p()
    check(constructor(*args, ctypes.byref(out)))
    assert out.value, "the library returned success without an object"
    return out.value
