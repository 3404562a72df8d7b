# SPDX-License-Identifier: MIT
"""Schedules: which steps call the model (lemica-schedule.h)."""

from __future__ import annotations

import ctypes
import operator
from typing import Callable, Dict, Iterable, Optional, Tuple, Union

from . import files
from ._core import Handle, check, lib, new_handle, using
from .errors import OutOfRangeError
from .graph import Graph


def _read_text(formatter: Callable[..., int], owner: Handle) -> str:
    # Size query first (buffer NULL, size 0), then the real call: the
    # library's buffer protocol, so no guessing of lengths.
    with owner._shared() as address:
        length = ctypes.c_size_t()
        check(formatter(address, None, 0, ctypes.byref(length)))
        buffer = ctypes.create_string_buffer(length.value + 1)
        check(formatter(address, buffer, len(buffer), ctypes.byref(length)))
    return buffer.raw[:length.value].decode("ascii")


def c_int_array(values: Iterable[object], what: str) -> Tuple[ctypes.Array, int]:
    """A C ``int`` array of ``values`` and its length, refusing what
    ``int`` cannot hold.

    ctypes keeps only the low 32 bits of each element, so a step of
    2**32 + 3 would reach the library as 3: a valid, different schedule.
    Values must be integers (``operator.index``: no silent truncation of
    2.7 to 2) within INT_MIN .. INT_MAX.
    """
    numbers = []
    for position, value in enumerate(values):
        try:
            number = operator.index(value)
        except TypeError:
            raise TypeError(f"{what}[{position}] is {value!r}, not an integer") from None
        if not _INT_MIN <= number <= _INT_MAX:
            raise OutOfRangeError(
                -2, "LEMICA_ERR_OUT_OF_RANGE",
                f"{what}[{position}] = {number} is outside the C int range "
                f"{_INT_MIN} .. {_INT_MAX}")
        numbers.append(number)
    return (ctypes.c_int * max(len(numbers), 1))(*numbers), len(numbers)


_INT_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_int) - 1) - 1
_INT_MIN = -_INT_MAX - 1


class Schedule(Handle):
    """The computed steps of one sampling run: N steps, B model calls.

    The first computed step is 0 and the last N - 1. A schedule from the
    solver also carries its cost vector (the B - 1 segment errors sorted
    descending); one parsed from text or built from steps gets it from
    :meth:`evaluate`.

    >>> schedule = Schedule.parse_steps(8, "0,1,3,7")
    >>> [schedule.should_compute(t) for t in range(8)]
    [True, True, False, True, False, False, False, True]
    """

    _free_name = "lemica_schedule_free"
    _kind = "schedule"
    __slots__ = ()

    def __init__(self, num_steps: int, steps: Iterable[int]) -> None:
        """Build from the computed steps (ascending, 0 first, N - 1 last)."""
        array, length = c_int_array(steps, "steps")
        super().__init__(new_handle(lib().lemica_schedule_new_from_steps, num_steps,
                                    array, length))

    @classmethod
    def _adopt(cls, address: int) -> "Schedule":
        schedule = cls.__new__(cls)
        Handle.__init__(schedule, address)
        return schedule

    @classmethod
    def parse_steps(cls, num_steps: int, text: Union[str, bytes]) -> "Schedule":
        """Parse a step list such as ``"0,1,3,7,49"`` (or ``"[0, 1, 3]"``)."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls._adopt(new_handle(lib().lemica_schedule_parse_steps, num_steps,
                                     data, len(data)))

    @classmethod
    def parse_mask(cls, text: Union[str, bytes]) -> "Schedule":
        """Parse a compute mask such as ``"1,1,0,1"``; N is its length."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls._adopt(new_handle(lib().lemica_schedule_parse_mask, data, len(data)))

    @classmethod
    def from_mask(cls, mask: Iterable[object]) -> "Schedule":
        """Build from one truth value per step (True = compute)."""
        flags = [bool(flag) for flag in mask]
        return cls(len(flags), [step for step, flag in enumerate(flags) if flag])

    @classmethod
    def load(cls, path: files.PathLike, expected_num_steps: int = 0) -> "Schedule":
        """Read a schedule file; MismatchError if it was planned for another
        step count than ``expected_num_steps`` (0 accepts any)."""
        return cls.load_with_metadata(path, expected_num_steps)[0]

    @classmethod
    def load_with_metadata(cls, path: files.PathLike, expected_num_steps: int = 0
                           ) -> Tuple["Schedule", Dict[str, str]]:
        """Read a schedule file and its metadata."""
        address, metadata = files.load("lemica_schedule_load",
                                       (files.path_argument(path), expected_num_steps),
                                       True)
        return cls._adopt(address), metadata

    @classmethod
    def loads(cls, text: Union[str, bytes], expected_num_steps: int = 0) -> "Schedule":
        """Parse a schedule file held in memory."""
        return cls.loads_with_metadata(text, expected_num_steps)[0]

    @classmethod
    def loads_with_metadata(cls, text: Union[str, bytes], expected_num_steps: int = 0
                            ) -> Tuple["Schedule", Dict[str, str]]:
        """Parse a schedule file held in memory, with its metadata."""
        address, metadata = files.load("lemica_schedule_parse",
                                       files.text_arguments(text) + (expected_num_steps,),
                                       True)
        return cls._adopt(address), metadata

    def save(self, path: files.PathLike, metadata: Optional[files.Metadata] = None) -> None:
        """Write a schedule file atomically (with its costs if it has them)."""
        files.save("lemica_schedule_save", self, path, metadata)

    def dumps(self, metadata: Optional[files.Metadata] = None) -> str:
        """The schedule file's text."""
        return files.dumps("lemica_schedule_format", self, metadata)

    def copy(self) -> "Schedule":
        """An independent copy, cost vector included."""
        with self._shared() as address:
            return Schedule._adopt(new_handle(lib().lemica_schedule_copy, address))

    @property
    def num_steps(self) -> int:
        """N, the number of sampling steps."""
        with self._shared() as address:
            return lib().lemica_schedule_num_steps(address)

    @property
    def budget(self) -> int:
        """B, the number of model calls."""
        with self._shared() as address:
            return lib().lemica_schedule_budget(address)

    @property
    def steps(self) -> Tuple[int, ...]:
        """The computed steps, ascending."""
        count = ctypes.c_size_t()
        with self._shared() as address:
            check(lib().lemica_schedule_steps(address, None, 0, ctypes.byref(count)))
            array = (ctypes.c_int * count.value)()
            check(lib().lemica_schedule_steps(address, array, count.value,
                                              ctypes.byref(count)))
        return tuple(array)

    @property
    def mask(self) -> Tuple[bool, ...]:
        """One flag per step: True where the model is called."""
        computed = set(self.steps)
        return tuple(step in computed for step in range(self.num_steps))

    def should_compute(self, step: int) -> bool:
        """Whether the model runs at ``step`` (O(1) in the library)."""
        with self._shared() as address:
            result = lib().lemica_schedule_should_compute(address, step)
            check(result)
        return result == 1

    def format_steps(self) -> str:
        """The step list ``"0,1,3,...,49"``."""
        return _read_text(lib().lemica_schedule_format_steps, self)

    def format_mask(self) -> str:
        """The compute mask ``"1,1,0,...,1"``."""
        return _read_text(lib().lemica_schedule_format_mask, self)

    @property
    def has_costs(self) -> bool:
        """Whether the schedule carries a cost vector."""
        with self._shared() as address:
            return lib().lemica_schedule_has_costs(address) == 1

    @property
    def costs(self) -> Tuple[float, ...]:
        """The B - 1 segment errors, descending; StateError without costs."""
        count = ctypes.c_size_t()
        with self._shared() as address:
            check(lib().lemica_schedule_costs(address, None, 0, ctypes.byref(count)))
            array = (ctypes.c_double * count.value)()
            check(lib().lemica_schedule_costs(address, array, count.value,
                                              ctypes.byref(count)))
        return tuple(array)

    @property
    def max_cost(self) -> float:
        """The largest segment error (the bottleneck)."""
        value = ctypes.c_double()
        with self._shared() as address:
            check(lib().lemica_schedule_max_cost(address, ctypes.byref(value)))
        return value.value

    @property
    def sum_cost(self) -> float:
        """The sum of the segment errors, added in path order."""
        value = ctypes.c_double()
        with self._shared() as address:
            check(lib().lemica_schedule_sum_cost(address, ctypes.byref(value)))
        return value.value

    def evaluate(self, graph: Graph) -> None:
        """Give the schedule the cost vector it has on ``graph``."""
        with using((self, True), (graph, False)) as (address, graph_address):
            check(lib().lemica_schedule_evaluate(address, graph_address))

    @property
    def calls_saved(self) -> int:
        """N - B: the model calls the schedule skips."""
        return self.num_steps - self.budget

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return self.num_steps == other.num_steps and self.steps == other.steps

    __hash__ = None  # mutable through evaluate(); equality is by steps

    def __str__(self) -> str:
        return self.format_steps()

    def __repr__(self) -> str:
        if self.closed:
            return "<lemica.Schedule closed>"
        return (f"<lemica.Schedule num_steps={self.num_steps} budget={self.budget} "
                f"steps={self.format_steps()}>")


def uniform_schedule(num_steps: int, budget: int) -> Schedule:
    """Evenly spaced computed steps, the usual baseline to compare with.

    Steps are ``round(k * (N - 1) / (B - 1))`` for k = 0 .. B - 1.
    """
    if budget < 2 or budget > num_steps:
        raise ValueError(f"budget {budget} outside 2 .. {num_steps}")
    steps = sorted({round(k * (num_steps - 1) / (budget - 1)) for k in range(budget)})
    return Schedule(num_steps, steps)

