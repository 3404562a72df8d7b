# SPDX-License-Identifier: MIT
"""The profiling plan: which replays an engine runs (lemica-plan.h)."""

from __future__ import annotations

import ctypes
import enum
from typing import Any, Iterator, List, NamedTuple, Tuple

from ._core import Handle, check, lib, new_handle


class StepAction(enum.IntEnum):
    """What a replay does at one step (lemica_step_action)."""

    FROM_REFERENCE = 0  #: t <= i: state and output come from the reference pass
    REUSE = 1  #: i < t < j: no model call; step i's output is reused
    COMPUTE = 2  #: t >= j: the model is called


class PlanGroup(NamedTuple):
    """Replays ``first .. first + count - 1`` share start step ``start``."""

    start: int
    first: int
    count: int


class Plan(Handle):
    """The replays that measure every selected cache segment of one sample.

    An engine runs one full reference pass, then for every replay (i, j)
    restarts from the reference's state at step i, reuses the output of
    step i at i+1 .. j-1 and calls the model from j on; the final sample's
    error against the reference is the segment's sample.
    """

    _free_name = "lemica_plan_free"
    _kind = "plan"
    __slots__ = ()

    def __init__(self, num_steps: int, max_skip: int) -> None:
        """A plan selecting every segment with 2 <= j - i <= max_skip."""
        super().__init__(new_handle(lib().lemica_plan_new, num_steps, max_skip))

    @property
    def num_steps(self) -> int:
        """N."""
        with self._shared() as address:
            return lib().lemica_plan_num_steps(address)

    @property
    def max_skip(self) -> int:
        """K, after clamping to N - 1."""
        with self._shared() as address:
            return lib().lemica_plan_max_skip(address)

    def select_segment(self, from_step: int, to_step: int, selected: bool = True) -> None:
        """Select or deselect one segment."""
        with self._exclusive() as address:
            check(lib().lemica_plan_select_segment(address, from_step, to_step,
                                                   int(selected)))

    def select_start(self, step: int, selected: bool = True) -> None:
        """Select or deselect every segment starting at ``step``."""
        with self._exclusive() as address:
            check(lib().lemica_plan_select_start(address, step, int(selected)))

    def select_all(self, selected: bool = True) -> None:
        """Select or deselect every segment."""
        with self._exclusive() as address:
            check(lib().lemica_plan_select_all(address, int(selected)))

    def is_selected(self, from_step: int, to_step: int) -> bool:
        """Whether a segment is selected."""
        with self._shared() as address:
            result = lib().lemica_plan_is_selected(address, from_step, to_step)
            check(result)
        return result == 1

    @property
    def num_replays(self) -> int:
        """The number of replays (selected segments)."""
        with self._shared() as address:
            return lib().lemica_plan_num_replays(address)

    def replay(self, index: int) -> Tuple[int, int]:
        """The segment (i, j) of replay ``index``."""
        from_step, to_step = ctypes.c_int(), ctypes.c_int()
        with self._shared() as address:
            check(lib().lemica_plan_replay(address, index, ctypes.byref(from_step),
                                           ctypes.byref(to_step)))
        return from_step.value, to_step.value

    def replays(self) -> List[Tuple[int, int]]:
        """Every replay's segment, by start step then end step."""
        return [self.replay(index) for index in range(self.num_replays)]

    def step_action(self, replay: int, step: int) -> StepAction:
        """What replay ``replay`` does at ``step`` (one C call: for every step
        of a replay use :meth:`replay_actions`, for the whole plan
        :meth:`action_array`)."""
        with self._shared() as address:
            result = lib().lemica_plan_step_action(address, replay, step)
            check(result)
        return StepAction(result)

    def replay_actions(self, replay: int) -> Tuple[StepAction, ...]:
        """What replay ``replay`` does at every step 0 .. N-1, in one call.

        The same answers as ``step_action(replay, t)`` for every ``t``
        (the tests compare them), from one ``lemica_plan_replay`` call
        instead of N: the actions follow from the replay's segment (i, j)
        as lemica-plan.h defines them (t <= i from the reference, i < t < j
        reused, t >= j computed).
        """
        from_step, to_step = self.replay(replay)
        num_steps = self.num_steps
        return ((StepAction.FROM_REFERENCE,) * (from_step + 1)
                + (StepAction.REUSE,) * (to_step - from_step - 1)
                + (StepAction.COMPUTE,) * (num_steps - to_step))

    def replay_array(self) -> Any:
        """Every replay's segment as a numpy ``int32`` array of shape
        (num_replays, 2), columns i and j: one C call per replay."""
        import numpy

        cdll = lib()
        pairs = []
        from_step, to_step = ctypes.c_int(), ctypes.c_int()
        from_ref, to_ref = ctypes.byref(from_step), ctypes.byref(to_step)
        with self._shared() as address:
            for index in range(cdll.lemica_plan_num_replays(address)):
                check(cdll.lemica_plan_replay(address, index, from_ref, to_ref))
                pairs.append((from_step.value, to_step.value))
        return numpy.array(pairs, numpy.int32).reshape(len(pairs), 2)

    def action_array(self) -> Any:
        """The whole plan as a numpy ``int8`` array of shape (num_replays,
        num_steps): entry [r, t] is ``step_action(r, t)`` as an integer
        (compare with ``StepAction.COMPUTE`` etc.). N * R values from R C
        calls, for profiling loops that batch replays::

            actions = plan.action_array()
            for step in range(start + 1, plan.num_steps):
                compute = actions[rows, step] == lemica.StepAction.COMPUTE
        """
        import numpy

        segments = self.replay_array()
        steps = numpy.arange(self.num_steps, dtype=numpy.int32)[None, :]
        actions = numpy.full((len(segments), steps.shape[1]), int(StepAction.REUSE),
                             numpy.int8)
        actions[steps <= segments[:, :1]] = int(StepAction.FROM_REFERENCE)
        actions[steps >= segments[:, 1:]] = int(StepAction.COMPUTE)
        return actions

    @property
    def num_groups(self) -> int:
        """The number of start steps with at least one replay."""
        with self._shared() as address:
            return lib().lemica_plan_num_groups(address)

    def group(self, index: int) -> PlanGroup:
        """Group ``index``: replays sharing a start step (batchable)."""
        start, first, count = ctypes.c_int(), ctypes.c_size_t(), ctypes.c_size_t()
        with self._shared() as address:
            check(lib().lemica_plan_group(address, index, ctypes.byref(start),
                                          ctypes.byref(first), ctypes.byref(count)))
        return PlanGroup(start.value, first.value, count.value)

    def groups(self) -> Iterator[PlanGroup]:
        """Every group, by start step."""
        for index in range(self.num_groups):
            yield self.group(index)

    @property
    def model_calls(self) -> int:
        """Model calls to profile one sample: N + sum over replays of N - j."""
        with self._shared() as address:
            return lib().lemica_plan_model_calls(address)

    def __repr__(self) -> str:
        if self.closed:
            return "<lemica.Plan closed>"
        return (f"<lemica.Plan num_steps={self.num_steps} max_skip={self.max_skip} "
                f"replays={self.num_replays} model_calls={self.model_calls}>")
