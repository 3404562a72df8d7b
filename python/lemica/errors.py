# SPDX-License-Identifier: MIT
"""Exceptions raised by the binding.

Every failing library call becomes a :class:`LemicaError` subclass chosen by
its status code. The exception carries the status code, its name (such as
``"LEMICA_ERR_PARSE"``) and the library's detailed message for the call
(``lemica_last_error_message()``), so a user sees exactly what the C
library said. Where a built-in exception has the same meaning, the class
derives from it too, so ``except ValueError`` catches a parse error.
"""

from __future__ import annotations

from typing import Dict, Type


class LemicaError(Exception):
    """A libLeMiCa call failed.

    Attributes:
        status: the numeric status code (negative).
        name: the status identifier, for example ``"LEMICA_ERR_PARSE"``.
        message: the library's detailed message for the failed call.
    """

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}" if message else name)
        self.status = status
        self.name = name
        self.message = message

    def __reduce__(self):  # keep the three fields through pickling (Dask)
        return (type(self), (self.status, self.name, self.message))


class InvalidArgumentError(LemicaError, ValueError):
    """LEMICA_ERR_INVALID_ARGUMENT: NULL pointer, unknown enum or bad size."""


class OutOfRangeError(LemicaError, IndexError):
    """LEMICA_ERR_OUT_OF_RANGE: step, edge or index out of range."""


class InvalidValueError(LemicaError, ValueError):
    """LEMICA_ERR_INVALID_VALUE: NaN, infinite or negative value."""


class NoMemoryError(LemicaError, MemoryError):
    """LEMICA_ERR_NO_MEMORY: an allocation failed; nothing was changed."""


class InfeasibleError(LemicaError):
    """LEMICA_ERR_INFEASIBLE: no schedule has this budget."""


class NotFoundError(LemicaError, LookupError):
    """LEMICA_ERR_NOT_FOUND: the edge is absent."""


class ParseError(LemicaError, ValueError):
    """LEMICA_ERR_PARSE: malformed text; the message says where."""


class BufferTooSmallError(LemicaError):
    """LEMICA_ERR_BUFFER_TOO_SMALL: the binding sizes its buffers, so this
    only appears if the library contradicts its own size query."""


class StateError(LemicaError):
    """LEMICA_ERR_STATE: the object holds no data for this call."""


class MismatchError(LemicaError, ValueError):
    """LEMICA_ERR_MISMATCH: objects of different sizes or kinds."""


class IOFailureError(LemicaError, OSError):
    """LEMICA_ERR_IO: reading or writing a file failed."""


class VersionError(LemicaError):
    """LEMICA_ERR_VERSION: a file of a newer, unsupported format version."""


class TooLargeError(LemicaError, ValueError):
    """LEMICA_ERR_TOO_LARGE: a size above the documented maximum."""


#: Status code -> exception class. The numbers are pinned by the C ABI.
STATUS_EXCEPTIONS: Dict[int, Type[LemicaError]] = {
    -1: InvalidArgumentError,
    -2: OutOfRangeError,
    -3: InvalidValueError,
    -4: NoMemoryError,
    -5: InfeasibleError,
    -6: NotFoundError,
    -7: ParseError,
    -8: BufferTooSmallError,
    -9: StateError,
    -10: MismatchError,
    -11: IOFailureError,
    -12: VersionError,
    -13: TooLargeError,
}


class LibraryNotFoundError(ImportError):
    """No usable libLeMiCa shared library was found.

    The message lists every place that was tried and why each failed.
    """


class ClosedHandleError(ValueError):
    """The object was closed (freed) and cannot be used any more."""


class ReentrantUseError(RuntimeError):
    """A call used an object that a call on the same thread is already
    using: a user comparator that closes its own solver or the graph being
    solved, or starts another solve on the same solver. Nothing was done;
    the running call goes on (and re-raises this when it returns, for a
    comparator)."""


class ScheduleMismatchError(ValueError):
    """A sampling loop does not match its schedule (step count, order)."""


class UnsupportedBufferError(TypeError):
    """A buffer cannot be handed to the C kernels as it is (dtype, layout,
    device); the message says what to change."""
