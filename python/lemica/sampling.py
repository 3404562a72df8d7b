# SPDX-License-Identifier: MIT
"""Applying a schedule in a sampling loop, whatever the engine.

:class:`StepCache` answers, for every model call of a sampling loop,
"run the model or reuse its last output?" and keeps the reused outputs.
It knows nothing about tensors: it stores whatever the model function
returns. Under classifier-free guidance the conditional and the
unconditional passes are separate *branches*, each with its own cached
output, so the unconditional pass never reuses a conditional output.

It also checks that the loop matches the schedule: a step outside
0 .. N-1, steps out of order, a branch that repeats a step, or a loop
that ends before step N - 1 raise
:class:`~lemica.errors.ScheduleMismatchError` instead of silently applying
a schedule made for another step count.

>>> cache = StepCache(schedule, branches=("cond", "uncond"))  # doctest: +SKIP
>>> for step, t in enumerate(timesteps):                       # doctest: +SKIP
...     eps_c = cache.call(step, "cond", model, x, t, text)
...     eps_u = cache.call(step, "uncond", model, x, t, empty)
...     x = sampler_update(x, eps_u + scale * (eps_c - eps_u), t)
>>> cache.finish()   # raises if the loop ran fewer steps than the schedule
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, TypeVar

from .errors import ScheduleMismatchError
from .schedule import Schedule

T = TypeVar("T")


@dataclass
class BranchState:
    """What one branch (cond, uncond, ...) has seen in the current sample."""

    last_step: int = -1
    computed: int = 0
    reused: int = 0
    cached: Any = None
    has_cached: bool = False


class StepCache:
    """Per-call run-or-reuse decisions for one schedule.

    Args:
        schedule: the schedule; its mask is read once, so the loop does
            not cross into C at every call.
        branches: names of the model calls made per step (one for plain
            sampling; ``("cond", "uncond")`` for classifier-free guidance
            with separate passes). A batched CFG pass is one branch.
    """

    def __init__(self, schedule: Schedule, branches: Sequence[str] = ("main",)) -> None:
        if not branches:
            raise ValueError("at least one branch")
        if len(set(branches)) != len(branches):
            raise ValueError(f"branch names repeat: {list(branches)}")
        self.mask: Tuple[bool, ...] = schedule.mask
        self.num_steps = len(self.mask)
        self.budget = sum(self.mask)
        self.branches: Tuple[str, ...] = tuple(branches)
        self._states: Dict[str, BranchState] = {name: BranchState() for name in branches}

    def _state(self, branch: Optional[str]) -> Tuple[str, BranchState]:
        if branch is None:
            if len(self.branches) != 1:
                raise ValueError(f"name the branch: this cache has {list(self.branches)}")
            branch = self.branches[0]
        try:
            return branch, self._states[branch]
        except KeyError:
            raise ValueError(f"unknown branch {branch!r}; known: {list(self.branches)}") \
                from None

    def should_compute(self, step: int) -> bool:
        """Whether the schedule runs the model at ``step`` (no state change)."""
        if not 0 <= step < self.num_steps:
            raise ScheduleMismatchError(
                f"step {step} outside the schedule's 0 .. {self.num_steps - 1}: the loop "
                f"runs more steps than the schedule was made for")
        return self.mask[step]

    def next_step(self, branch: Optional[str] = None) -> int:
        """The step the branch's next call is for (when not given)."""
        return self._state(branch)[1].last_step + 1

    def begin(self, step: int, branch: Optional[str] = None) -> bool:
        """Advance ``branch`` to ``step``; True if the model must run.

        For engines that call the model themselves: after ``begin``
        returns True, run the model and give the result to :meth:`store`;
        when it returns False, use :meth:`cached`.
        """
        name, state = self._state(branch)
        if step != state.last_step + 1:
            raise ScheduleMismatchError(
                f"branch {name!r}: step {step} after step {state.last_step}; a sampling "
                "loop visits every step once, in order (call reset() between samples)")
        compute = self.should_compute(step)
        if not compute and not state.has_cached:
            raise ScheduleMismatchError(f"branch {name!r}: step {step} reuses an output "
                                        "that was never computed")
        state.last_step = step
        if compute:
            state.computed += 1
        else:
            state.reused += 1
        return compute

    def store(self, output: T, branch: Optional[str] = None) -> T:
        """Keep ``output`` as the branch's output to reuse; returns it."""
        _, state = self._state(branch)
        state.cached = output
        state.has_cached = True
        return output

    def cached(self, branch: Optional[str] = None) -> Any:
        """The branch's last computed output."""
        name, state = self._state(branch)
        if not state.has_cached:
            raise ScheduleMismatchError(f"branch {name!r} has no computed output yet")
        return state.cached

    def call(self, step: Optional[int], branch: Optional[str], function: Callable[..., T],
             *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` if the schedule computes ``step``,
        else the branch's last output. ``step`` None means the branch's
        next step."""
        if step is None:
            step = self.next_step(branch)
        if self.begin(step, branch):
            return self.store(function(*args, **kwargs), branch)
        return self.cached(branch)

    def finish(self) -> None:
        """Check that every branch ran all N steps, then reset for the next
        sample. Raises ScheduleMismatchError if the loop ended early."""
        short = {name: state.last_step + 1 for name, state in self._states.items()
                 if state.last_step != self.num_steps - 1}
        if short:
            detail = ", ".join(f"{name!r} ran {count}" for name, count in short.items())
            self.reset()
            raise ScheduleMismatchError(
                f"the schedule has {self.num_steps} steps but {detail}: the loop's step "
                "count differs from the schedule's")
        self.reset()

    def reset(self) -> None:
        """Forget cached outputs and positions (keeps the counters)."""
        for state in self._states.values():
            state.last_step = -1
            state.cached = None
            state.has_cached = False

    @property
    def model_calls(self) -> int:
        """Model calls made so far, over all branches and samples."""
        return sum(state.computed for state in self._states.values())

    @property
    def calls_reused(self) -> int:
        """Model calls skipped so far, over all branches and samples."""
        return sum(state.reused for state in self._states.values())

    def stats(self) -> Dict[str, Dict[str, int]]:
        """Per-branch counts of computed and reused calls."""
        return {name: {"computed": state.computed, "reused": state.reused}
                for name, state in self._states.items()}

