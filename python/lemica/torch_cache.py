# SPDX-License-Identifier: MIT
"""Caching a torch module's residual under a schedule (needs torch).

The paper's release accelerates DiT transformers by caching the *residual*
of the transformer's block stack: at a computed step it runs the blocks and
keeps ``output - input``; at a reused step it skips the blocks and returns
``input + residual``. The input still changes from step to step (the latent
moves on), so reusing the residual tracks the trajectory better than
reusing the output itself.

:class:`ResidualCache` wraps any ``nn.Module`` whose forward maps a tensor
to a tensor of the same shape (or returns it first in a tuple, or as a
``.sample`` attribute, as diffusers models do) and applies a
:class:`~lemica.sampling.StepCache` to it.

The sampling loop says which step its calls belong to, with
:meth:`ResidualCache.set_step` before each step's calls: a sampler may
split one step's batch into several forward calls (chunks), and counting
calls as steps would then apply one chunk's residual to another chunk, or
a residual to the wrong step, and return a wrong tensor without a word.
Within a step, the k-th call of a branch at a reused step gets the
residual the k-th call of that branch made at the last computed step, and
a call with no such counterpart, or of another shape, raises
:class:`~lemica.errors.ScheduleMismatchError`. Loops that are known to
make exactly one call per branch per step can pass ``count_calls=True``
instead, the behaviour of earlier versions. With several branches
(separate CFG passes), calls go to the branches in turn, or to the one
named with :meth:`ResidualCache.branch`.
"""

from __future__ import annotations

import contextlib
import copy
import operator
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from .errors import ScheduleMismatchError
from .sampling import StepCache
from .schedule import Schedule


def _first_tensor(output: Any) -> torch.Tensor:
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    sample = getattr(output, "sample", None)
    if isinstance(sample, torch.Tensor):
        return sample
    raise TypeError(f"cannot find the output tensor in a {type(output).__name__}: "
                    "return a tensor, a tuple starting with one, or an object with .sample")


def _replace_first(template: Any, tensor: torch.Tensor) -> Any:
    """An output shaped like ``template`` whose main tensor is ``tensor``."""
    if isinstance(template, torch.Tensor):
        return tensor
    if isinstance(template, tuple):
        return (tensor,) + tuple(template[1:])
    if isinstance(template, list):
        return [tensor] + list(template[1:])
    replaced = copy.copy(template)
    replaced.sample = tensor
    return replaced


class ResidualCache(nn.Module):
    """Run ``module`` at the schedule's computed steps; elsewhere return
    ``input + (output - input)`` of the branch's last computed step.

    Args:
        module: the block stack (or whole transformer) to wrap.
        schedule: the schedule, or a ready :class:`StepCache`.
        branches: the model calls per sampling step (see StepCache).
        input_name: the keyword under which the wrapped forward receives
            its main input; when it is not passed by keyword, the first
            positional argument is used. diffusers transformers call it
            ``hidden_states``.
        mode: ``"residual"`` (the paper's release) or ``"output"`` (reuse
            the output itself; needed when the output's shape differs
            from the input's, for example a transformer that also predicts
            a variance).
        count_calls: False (the default): the loop calls :meth:`set_step`
            before each step's forward calls, which may be split into
            chunks. True: every forward call is one model call of one
            branch at the next step; only for loops that never split a
            step's batch (otherwise outputs are wrong).
    """

    def __init__(self, module: nn.Module, schedule: Union[Schedule, StepCache],
                 branches: Sequence[str] = ("main",), input_name: str = "hidden_states",
                 mode: str = "residual", count_calls: bool = False) -> None:
        super().__init__()
        if mode not in ("residual", "output"):
            raise ValueError(f"mode must be 'residual' or 'output', not {mode!r}")
        self.module = module
        self.cache = schedule if isinstance(schedule, StepCache) else StepCache(schedule,
                                                                                branches)
        self.input_name = input_name
        self.mode = mode
        self.count_calls = bool(count_calls)
        self._call_count = 0
        self._forced_branch: Optional[str] = None
        # Explicit steps: the current step, and per branch the calls made
        # in it so far and whether it is computed.
        self._step: Optional[int] = None
        self._chunks: Dict[str, int] = {}
        self._computing: Dict[str, bool] = {}

    def _main_input(self, args: Tuple[Any, ...], kwargs: dict) -> torch.Tensor:
        if self.input_name in kwargs:
            value = kwargs[self.input_name]
        elif args:
            value = args[0]
        else:
            raise TypeError(f"no {self.input_name!r} keyword and no positional input")
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"the main input is a {type(value).__name__}, not a tensor")
        return value

    def _next_branch(self) -> str:
        if self._forced_branch is not None:
            return self._forced_branch
        branches = self.cache.branches
        branch = branches[self._call_count % len(branches)]
        self._call_count += 1
        return branch

    def set_step(self, step: int) -> None:
        """The forward calls from now until the next ``set_step`` belong to
        sampling step ``step`` (0 .. N-1, each step once, in order).

        Call it before each step's model calls; the calls themselves may
        be split into chunks of the batch. Not used with
        ``count_calls=True``.
        """
        if self.count_calls:
            raise ValueError("set_step() is for count_calls=False; this wrapper counts "
                             "forward calls")
        self._step = operator.index(step)
        self._call_count = 0
        self._chunks = {}
        self._computing = {}

    @contextlib.contextmanager
    def branch(self, name: str) -> Iterator[None]:
        """Send the forward calls inside the block to branch ``name``."""
        previous, self._forced_branch = self._forced_branch, name
        try:
            yield
        finally:
            self._forced_branch = previous

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if not self.count_calls:
            return self._forward_at_step(args, kwargs)
        branch = self._next_branch()
        step = self.cache.next_step(branch)
        hidden = self._main_input(args, kwargs)
        if self.cache.begin(step, branch):
            output = self.module(*args, **kwargs)
            self.cache.store((self._keep(output, hidden), output), branch)
            return output
        kept, template = self.cache.cached(branch)
        return self._reuse(kept, template, hidden, branch, step)

    def _keep(self, output: Any, hidden: torch.Tensor) -> torch.Tensor:
        result = _first_tensor(output)
        if self.mode == "residual":
            if result.shape != hidden.shape:
                raise ValueError(
                    f"residual caching needs the output shape {tuple(result.shape)} to "
                    f"equal the input shape {tuple(hidden.shape)}; use mode='output'")
            return (result - hidden).detach()
        return result.detach()

    def _reuse(self, kept: torch.Tensor, template: Any, hidden: torch.Tensor, branch: str,
               step: int) -> Any:
        if self.mode == "residual":
            if kept.shape != hidden.shape:
                raise ScheduleMismatchError(
                    f"branch {branch!r}, step {step}: the input has shape "
                    f"{tuple(hidden.shape)} but the residual kept for it has "
                    f"{tuple(kept.shape)}: the batch is split differently from the "
                    "computed step's (call set_step() before each step's calls)")
            return _replace_first(template, (hidden + kept).to(dtype=hidden.dtype))
        return _replace_first(template, kept)

    def _forward_at_step(self, args: Tuple[Any, ...], kwargs: dict) -> Any:
        step = self._step
        if step is None:
            raise ScheduleMismatchError(
                "ResidualCache does not know the step of this call: call "
                "wrapper.set_step(step) before each sampling step's forward calls "
                "(a step's batch may then be split into several calls), or pass "
                "count_calls=True if the loop makes exactly one call per branch per "
                "step")
        branch = self._next_branch()
        hidden = self._main_input(args, kwargs)
        chunk = self._chunks.get(branch, 0)
        if chunk == 0:
            self._computing[branch] = self.cache.begin(step, branch)
        self._chunks[branch] = chunk + 1
        if self._computing[branch]:
            output = self.module(*args, **kwargs)
            entry = (self._keep(output, hidden), output)
            if chunk == 0:
                self.cache.store([entry], branch)
            else:
                self.cache.cached(branch).append(entry)
            return output
        entries = self.cache.cached(branch)
        if chunk >= len(entries):
            raise ScheduleMismatchError(
                f"branch {branch!r}, step {step}: call {chunk + 1} of this step, but "
                f"the computed step it reuses made {len(entries)}: the batch is split "
                "into more calls than at the computed step")
        kept, template = entries[chunk]
        return self._reuse(kept, template, hidden, branch, step)

    def finish(self) -> None:
        """End of one sample: check the step count, reset for the next."""
        self._call_count = 0
        self._step = None
        self.cache.finish()

    def reset(self) -> None:
        """Abandon the current sample (after an error, for example)."""
        self._call_count = 0
        self._step = None
        self.cache.reset()


class SequentialBlocks(nn.Module):
    """Run a list of blocks one after another, passing the same extra
    arguments to each: ``hidden = block(hidden, *args, **kwargs)``.

    Transformer forwards usually loop over an ``nn.ModuleList`` of blocks
    with this calling convention; gathering the blocks into one module
    gives the block stack whose residual :class:`ResidualCache` caches.
    """

    def __init__(self, blocks: Sequence[nn.Module]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    def forward(self, hidden_states: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        for block in self.blocks:
            hidden_states = block(hidden_states, *args, **kwargs)
        return hidden_states


def cache_block_list(blocks: nn.ModuleList, schedule: Union[Schedule, StepCache],
                     branches: Sequence[str] = ("main",), count_calls: bool = False
                     ) -> Tuple[nn.ModuleList, ResidualCache]:
    """Replace a transformer's block list by one cached block stack.

    Returns ``(new_list, wrapper)``: assign ``new_list`` where the blocks
    were (``transformer.blocks = new_list``); the model's own loop over the
    list then makes one call per model call, to the wrapper, which runs
    every block at computed steps and adds the cached residual elsewhere.
    Keep ``wrapper`` to call :meth:`ResidualCache.set_step` before each
    step (from the pipeline's step callback, for example) and
    :meth:`ResidualCache.finish` after each sample, or pass
    ``count_calls=True`` for a pipeline known to call the transformer
    exactly once per branch per step. The blocks must map
    ``hidden_states`` (first positional argument) to a tensor of the same
    shape.
    """
    wrapper = ResidualCache(SequentialBlocks(list(blocks)), schedule, branches=branches,
                            count_calls=count_calls)
    return nn.ModuleList([wrapper]), wrapper
