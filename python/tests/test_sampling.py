# SPDX-License-Identifier: MIT
"""The sampling-loop helper and the torch residual-caching wrapper."""

import unittest

import numpy as np

import support
import lemica

if support.HAVE_TORCH:
    import torch
    from torch import nn
    from lemica.torch_cache import ResidualCache, cache_block_list


class CountingModel:
    def __init__(self):
        self.calls = []

    def __call__(self, step, branch):
        self.calls.append((step, branch))
        return (step, branch)


class StepCacheTest(unittest.TestCase):
    def setUp(self):
        self.schedule = lemica.Schedule(8, [0, 1, 4, 7])

    def tearDown(self):
        self.schedule.close()

    def test_single_branch(self):
        cache = lemica.StepCache(self.schedule)
        model = CountingModel()
        outputs = [cache.call(step, None, model, step, "main") for step in range(8)]
        cache.finish()
        self.assertEqual([step for step, _ in model.calls], [0, 1, 4, 7])
        self.assertEqual([out[0] for out in outputs], [0, 1, 1, 1, 4, 4, 4, 7])
        self.assertEqual((cache.model_calls, cache.calls_reused), (4, 4))

    def test_cfg_branches_keep_separate_state(self):
        cache = lemica.StepCache(self.schedule, branches=("cond", "uncond"))
        model = CountingModel()
        for step in range(8):
            cond = cache.call(step, "cond", model, step, "cond")
            uncond = cache.call(step, "uncond", model, step, "uncond")
            self.assertEqual(cond[1], "cond")
            self.assertEqual(uncond[1], "uncond")
            self.assertEqual(cond[0], uncond[0])
        cache.finish()
        self.assertEqual(cache.stats(), {"cond": {"computed": 4, "reused": 4},
                                         "uncond": {"computed": 4, "reused": 4}})
        # finish() resets: the next sample starts again at step 0.
        cache.call(0, "cond", model, 0, "cond")

    def test_implicit_step_numbers(self):
        cache = lemica.StepCache(self.schedule)
        model = CountingModel()
        for _ in range(8):
            cache.call(None, None, model, 0, "main")
        cache.finish()
        self.assertEqual(len(model.calls), 4)

    def test_engine_driven_protocol(self):
        cache = lemica.StepCache(self.schedule)
        seen = []
        for step in range(8):
            if cache.begin(step):
                cache.store(step * 10)
            seen.append(cache.cached())
        cache.finish()
        self.assertEqual(seen, [0, 10, 10, 10, 40, 40, 40, 70])

    def test_loop_longer_than_schedule(self):
        cache = lemica.StepCache(self.schedule)
        model = CountingModel()
        for step in range(8):
            cache.call(step, None, model, step, "main")
        with self.assertRaises(lemica.ScheduleMismatchError) as caught:
            cache.call(8, None, model, 8, "main")
        self.assertIn("more steps", str(caught.exception))

    def test_loop_shorter_than_schedule(self):
        cache = lemica.StepCache(self.schedule, branches=("cond", "uncond"))
        model = CountingModel()
        for step in range(5):
            cache.call(step, "cond", model, step, "cond")
            cache.call(step, "uncond", model, step, "uncond")
        with self.assertRaises(lemica.ScheduleMismatchError) as caught:
            cache.finish()
        self.assertIn("8 steps", str(caught.exception))
        self.assertIn("ran 5", str(caught.exception))

    def test_out_of_order_and_unknown_branch(self):
        cache = lemica.StepCache(self.schedule, branches=("cond", "uncond"))
        model = CountingModel()
        cache.call(0, "cond", model, 0, "cond")
        with self.assertRaises(lemica.ScheduleMismatchError):
            cache.call(2, "cond", model, 2, "cond")
        with self.assertRaises(lemica.ScheduleMismatchError):
            cache.call(0, "cond", model, 0, "cond")
        with self.assertRaises(ValueError):
            cache.call(0, "negative", model, 0, "x")
        with self.assertRaises(ValueError):
            cache.call(0, None, model, 0, "x")  # two branches: name one
        with self.assertRaises(ValueError):
            lemica.StepCache(self.schedule, branches=("a", "a"))

    def test_numpy_loop_matches_uncached_at_full_budget(self):
        rng = np.random.default_rng(0)
        weights = rng.standard_normal((16, 16)).astype(np.float32) / 4

        def model(x, step):
            return np.tanh(x @ weights + step * 0.01)

        def run(cache):
            x = np.ones(16, np.float32)
            for step in range(10):
                v = model(x, step) if cache is None else cache.call(step, None, model, x, step)
                x = x + 0.1 * v
            if cache is not None:
                cache.finish()
            return x

        with lemica.Schedule(10, range(10)) as full:
            np.testing.assert_array_equal(run(None), run(lemica.StepCache(full)))
        with lemica.Schedule(10, [0, 1, 5, 9]) as sparse:
            self.assertGreater(np.abs(run(None) - run(lemica.StepCache(sparse))).max(), 0)


if support.HAVE_TORCH:
    # A small DiT-like model: embedding, a stack of residual blocks, head.
    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.norm = nn.LayerNorm(width)
            self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(),
                                     nn.Linear(2 * width, width))
            self.calls = 0

        def forward(self, hidden, temb):
            self.calls += 1
            return hidden + self.mlp(self.norm(hidden + temb))

    class Stack(nn.Module):
        def __init__(self, blocks):
            super().__init__()
            self.blocks = nn.ModuleList(blocks)

        def forward(self, hidden_states, temb):
            for block in self.blocks:
                hidden_states = block(hidden_states, temb)
            return hidden_states

    class TinyDiT(nn.Module):
        def __init__(self, width=32, depth=3):
            super().__init__()
            torch.manual_seed(0)
            self.embed = nn.Linear(8, width)
            self.time = nn.Embedding(64, width)
            self.stack = Stack([Block(width) for _ in range(depth)])
            self.head = nn.Linear(width, 8)

        def forward(self, x, step):
            hidden = self.embed(x)
            hidden = self.stack(hidden_states=hidden, temb=self.time(torch.tensor([step])))
            return self.head(hidden)

    class Affine(nn.Module):
        """x * 2 + 1: residual x + 1, easy to follow by hand."""

        def forward(self, hidden_states):
            return hidden_states * 2 + 1

    class Recorder(nn.Module):
        """Records the main input and output of the module it wraps."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner
            self.seen = []

        def forward(self, hidden_states, temb):
            output = self.inner(hidden_states=hidden_states, temb=temb)
            self.seen.append((hidden_states.clone(), output.clone()))
            return output


@unittest.skipUnless(support.HAVE_TORCH, support.NO_TORCH)
class ResidualCacheTest(unittest.TestCase):
    """ResidualCache on TinyDiT, with and without guidance branches."""

    def sample(self, model, steps, cond_offsets=(0.0,)):
        """Euler loop; with two offsets, two separate (CFG-like) calls."""
        torch.manual_seed(1)
        x = torch.randn(4, 8)
        with torch.no_grad():
            for step in range(steps):
                outputs = [model(x + offset, step) for offset in cond_offsets]
                v = outputs[-1] if len(outputs) == 1 else outputs[1] + 2.0 * (
                    outputs[0] - outputs[1])
                x = x + v / steps
        return x

    def test_full_schedule_is_exact(self):
        model = TinyDiT()
        reference = self.sample(model, 10)
        with lemica.Schedule(10, range(10)) as schedule:
            wrapper = ResidualCache(model.stack, schedule, count_calls=True)
            model.stack = wrapper
            cached = self.sample(model, 10)
            wrapper.finish()
        torch.testing.assert_close(cached, reference, rtol=0, atol=0)

    def test_reused_steps_skip_the_blocks_and_add_the_residual(self):
        model = TinyDiT()
        stack = model.stack
        inner = Recorder(stack)
        with lemica.Schedule(10, [0, 1, 4, 9]) as schedule:
            wrapper = ResidualCache(inner, schedule, count_calls=True)
            outer = Recorder(wrapper)
            model.stack = outer
            torch.manual_seed(1)
            x = torch.randn(4, 8)
            with torch.no_grad():
                for step in range(10):
                    x = x + model(x, step) / 10
            wrapper.finish()
        self.assertEqual(stack.blocks[0].calls, 4)
        self.assertEqual(len(inner.seen), 4)
        self.assertEqual(len(outer.seen), 10)
        # Computed steps pass the blocks' output through unchanged.
        torch.testing.assert_close(outer.seen[1][1], inner.seen[1][1], rtol=0, atol=0)
        # Step 3 reuses step 1's residual on step 3's own input.
        residual_1 = inner.seen[1][1] - inner.seen[1][0]
        step_3_input, step_3_output = outer.seen[3]
        torch.testing.assert_close(step_3_output, step_3_input + residual_1)
        self.assertFalse(torch.equal(step_3_output, outer.seen[1][1]))

    def test_cfg_calls_alternate_branches(self):
        model = TinyDiT()
        reference = self.sample(model, 10, cond_offsets=(0.5, 0.0))
        with lemica.Schedule(10, range(10)) as full:
            wrapper = ResidualCache(model.stack, full, branches=("cond", "uncond"),
                                    count_calls=True)
            model.stack = wrapper
            torch.testing.assert_close(self.sample(model, 10, cond_offsets=(0.5, 0.0)),
                                       reference, rtol=0, atol=0)
            wrapper.finish()
        model.stack = wrapper.module
        with lemica.Schedule(10, [0, 2, 5, 9]) as schedule:
            wrapper = ResidualCache(model.stack, schedule, branches=("cond", "uncond"),
                                    count_calls=True)
            model.stack = wrapper
            cached = self.sample(model, 10, cond_offsets=(0.5, 0.0))
            self.assertEqual(wrapper.cache.stats(), {"cond": {"computed": 4, "reused": 6},
                                                     "uncond": {"computed": 4, "reused": 6}})
            wrapper.finish()
        error = (cached - reference).abs().mean().item()
        self.assertGreater(error, 0.0)
        self.assertLess(error, 0.5)

    def test_explicit_branch_and_step_count_check(self):
        model = TinyDiT()
        with lemica.Schedule(6, [0, 3, 5]) as schedule:
            wrapper = ResidualCache(model.stack, schedule, branches=("cond", "uncond"),
                                    count_calls=True)
            model.stack = wrapper
            x = torch.randn(2, 8)
            with torch.no_grad():
                for step in range(4):
                    with wrapper.branch("uncond"):
                        model(x, step)
                    with wrapper.branch("cond"):
                        model(x, step)
            with self.assertRaises(lemica.ScheduleMismatchError):
                wrapper.finish()

    def test_block_list_of_a_transformer_loop(self):
        class LoopDiT(nn.Module):
            """Iterates its block list itself, as diffusers transformers do."""

            def __init__(self, tiny):
                super().__init__()
                self.tiny = tiny
                self.blocks = tiny.stack.blocks

            def forward(self, x, step):
                hidden = self.tiny.embed(x)
                temb = self.tiny.time(torch.tensor([step]))
                for block in self.blocks:
                    hidden = block(hidden, temb)
                return self.tiny.head(hidden)

        model = LoopDiT(TinyDiT())
        reference = self.sample(model, 10)
        with lemica.Schedule(10, range(10)) as full:
            original = model.blocks
            model.blocks, wrapper = cache_block_list(original, full, count_calls=True)
            torch.testing.assert_close(self.sample(model, 10), reference, rtol=0, atol=0)
            wrapper.finish()
        with lemica.Schedule(10, [0, 1, 3, 6, 9]) as schedule:
            model.blocks, wrapper = cache_block_list(original, schedule, count_calls=True)
            calls_before = original[0].calls
            cached = self.sample(model, 10)
            wrapper.finish()
        self.assertEqual(original[0].calls - calls_before, 5)
        self.assertLess((cached - reference).abs().mean().item(), 0.5)

    def test_output_mode_for_shape_changing_modules(self):
        widen = nn.Linear(8, 16)
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(widen, schedule, count_calls=True)
            with self.assertRaises(ValueError):
                wrapper(torch.randn(2, 8))
            wrapper = ResidualCache(widen, schedule, mode="output", count_calls=True)
            x = torch.randn(2, 8)
            first = wrapper(x)
            torch.testing.assert_close(wrapper(x * 2), first)  # step 1 reused
            wrapper(x)
            wrapper(x)
            wrapper.finish()

    def test_tuple_and_sample_outputs(self):
        class ReturnsTuple(nn.Module):
            def forward(self, hidden_states):
                return (hidden_states * 2, "extra")

        class Output:
            def __init__(self, sample):
                self.sample = sample

        class ReturnsObject(nn.Module):
            def forward(self, hidden_states):
                return Output(hidden_states * 3)

        with lemica.Schedule(3, [0, 2]) as schedule:
            wrapper = ResidualCache(ReturnsTuple(), schedule, count_calls=True)
            x = torch.ones(2)
            wrapper(hidden_states=x)
            reused = wrapper(hidden_states=x + 1)
            self.assertEqual(reused[1], "extra")
            torch.testing.assert_close(reused[0], x + 1 + x)
            wrapper.reset()
            wrapper = ResidualCache(ReturnsObject(), schedule, count_calls=True)
            wrapper(x)
            torch.testing.assert_close(wrapper(x + 1).sample, x + 1 + 2 * x)


@unittest.skipUnless(support.HAVE_TORCH, support.NO_TORCH)
class ExplicitStepTest(unittest.TestCase):
    """ResidualCache with the step given by the loop (issue 16, point 12):
    a sampler that splits one step's batch into chunks gets each chunk's
    own residual, never another chunk's or another step's."""

    def run_chunked(self, wrapper, x, steps, chunk_sizes):
        with torch.no_grad():
            for step in range(steps):
                wrapper.set_step(step)
                sizes = chunk_sizes(step)
                x = torch.cat([wrapper(part) for part in torch.split(x, sizes)])
        wrapper.finish()
        return x

    def test_split_batch_gets_each_chunks_residual(self):
        # x*2+1 on 4 steps computing 0 and 3, batch [1, 2] split in two
        # chunks every step. Step 0 computes 3, 5 (residuals 2, 3); steps 1
        # and 2 add them: 5, 8 then 7, 11; step 3 computes 15, 23.
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(Affine(), schedule)
            x = self.run_chunked(wrapper, torch.tensor([[1.0], [2.0]]), 4, lambda step: 1)
        torch.testing.assert_close(x, torch.tensor([[15.0], [23.0]]), rtol=0, atol=0)
        self.assertEqual(wrapper.cache.stats(), {"main": {"computed": 2, "reused": 2}})

    def test_unsplit_batch_gives_the_same_result(self):
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(Affine(), schedule)
            x = self.run_chunked(wrapper, torch.tensor([[1.0], [2.0]]), 4, lambda step: 2)
        torch.testing.assert_close(x, torch.tensor([[15.0], [23.0]]), rtol=0, atol=0)

    def test_a_call_without_a_step_is_refused(self):
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(Affine(), schedule)
            with self.assertRaisesRegex(lemica.ScheduleMismatchError, "set_step"):
                wrapper(torch.ones(2, 1))
            self.assertEqual(wrapper.cache.model_calls, 0)

    def test_a_split_that_differs_from_the_computed_step_is_refused(self):
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(Affine(), schedule)
            with self.assertRaises(lemica.ScheduleMismatchError):
                # One chunk at the computed step, two at the reused one.
                self.run_chunked(wrapper, torch.ones(2, 1), 4,
                                 lambda step: 2 if step == 0 else 1)
            wrapper.reset()
            with self.assertRaises(lemica.ScheduleMismatchError):
                # Chunks of other sizes.
                self.run_chunked(wrapper, torch.ones(3, 1), 4,
                                 lambda step: [1, 2] if step == 0 else [2, 1])

    def test_counting_calls_refuses_an_uneven_split(self):
        # count_calls=True is the caller's promise of one call per step;
        # a reused residual of another shape is still refused.
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(Affine(), schedule, count_calls=True)
            with torch.no_grad():
                wrapper(torch.ones(2, 1))
                with self.assertRaises(lemica.ScheduleMismatchError):
                    wrapper(torch.ones(1, 1))

    def test_steps_out_of_order_are_refused(self):
        with lemica.Schedule(4, [0, 3]) as schedule:
            wrapper = ResidualCache(Affine(), schedule)
            wrapper.set_step(0)
            wrapper(torch.ones(1, 1))
            wrapper.set_step(2)
            with self.assertRaises(lemica.ScheduleMismatchError):
                wrapper(torch.ones(1, 1))

    def test_branches_alternate_within_a_step(self):
        model = TinyDiT()
        with lemica.Schedule(10, [0, 2, 5, 9]) as schedule:
            counted = ResidualCache(model.stack, schedule, branches=("cond", "uncond"),
                                    count_calls=True)
            model.stack = counted
            expected = ResidualCacheTest.sample(None, model, 10, cond_offsets=(0.5, 0.0))
            counted.finish()
            explicit = ResidualCache(counted.module, schedule, branches=("cond", "uncond"))
            model.stack = explicit
            torch.manual_seed(1)
            x = torch.randn(4, 8)
            with torch.no_grad():
                for step in range(10):
                    explicit.set_step(step)
                    outputs = [model(x + offset, step) for offset in (0.5, 0.0)]
                    x = x + (outputs[1] + 2.0 * (outputs[0] - outputs[1])) / 10
            explicit.finish()
        torch.testing.assert_close(x, expected, rtol=0, atol=0)


if __name__ == "__main__":
    unittest.main()
