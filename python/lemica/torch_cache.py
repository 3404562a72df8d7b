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
:class:`~lemica.sampling.StepCache` to it. Each forward call is one model
call of the sampling loop; with several branches (separate CFG passes),
calls go to the branches in turn, or to the one named with
:meth:`ResidualCache.branch`.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

import torch
from torch import nn

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
    """

    def __init__(self, module: nn.Module, schedule: Union[Schedule, StepCache],
                 branches: Sequence[str] = ("main",), input_name: str = "hidden_states",
                 mode: str = "residual") -> None:
        super().__init__()
        if mode not in ("residual", "output"):
            raise ValueError(f"mode must be 'residual' or 'output', not {mode!r}")
        self.module = module
        self.cache = schedule if isinstance(schedule, StepCache) else StepCache(schedule,
                                                                                branches)
        self.input_name = input_name
        self.mode = mode
        self._call_count = 0
        self._forced_branch: Optional[str] = None

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

    @contextlib.contextmanager
    def branch(self, name: str) -> Iterator[None]:
        """Send the forward calls inside the block to branch ``name``."""
        previous, self._forced_branch = self._forced_branch, name
        try:
            yield
        finally:
            self._forced_branch = previous

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        branch = self._next_branch()
        step = self.cache.next_step(branch)
        hidden = self._main_input(args, kwargs)
        if self.cache.begin(step, branch):
            output = self.module(*args, **kwargs)
            result = _first_tensor(output)
            if self.mode == "residual":
                if result.shape != hidden.shape:
                    raise ValueError(
                        f"residual caching needs the output shape {tuple(result.shape)} to "
                        f"equal the input shape {tuple(hidden.shape)}; use mode='output'")
                kept = (result - hidden).detach()
            else:
                kept = result.detach()
            self.cache.store((kept, output), branch)
            return output
        kept, template = self.cache.cached(branch)
        if self.mode == "residual":
            return _replace_first(template, (hidden + kept).to(dtype=hidden.dtype))
        return _replace_first(template, kept)

    def finish(self) -> None:
        """End of one sample: check the step count, reset for the next."""
        self._call_count = 0
        self.cache.finish()

    def reset(self) -> None:
        """Abandon the current sample (after an error, for example)."""
        self._call_count = 0
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
                     branches: Sequence[str] = ("main",)) -> Tuple[nn.ModuleList, ResidualCache]:
    """Replace a transformer's block list by one cached block stack.

    Returns ``(new_list, wrapper)``: assign ``new_list`` where the blocks
    were (``transformer.blocks = new_list``); the model's own loop over the
    list then makes one call per model call, to the wrapper, which runs
    every block at computed steps and adds the cached residual elsewhere.
    Keep ``wrapper`` to call :meth:`ResidualCache.finish` after each
    sample. The blocks must map ``hidden_states`` (first positional
    argument) to a tensor of the same shape.
    """
    wrapper = ResidualCache(SequentialBlocks(list(blocks)), schedule, branches=branches)
    return nn.ModuleList([wrapper]), wrapper
