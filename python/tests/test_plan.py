# SPDX-License-Identifier: MIT
"""The profiling plan."""

import unittest

import numpy

import support  # noqa: F401
import lemica
from lemica import _library


class PlanTest(unittest.TestCase):
    def test_full_plan(self):
        with lemica.Plan(10, 3) as plan:
            self.assertEqual((plan.num_steps, plan.max_skip), (10, 3))
            replays = plan.replays()
            self.assertEqual(replays, [(i, j) for i in range(10)
                                       for j in range(i + 2, min(i + 3, 9) + 1)])
            self.assertEqual(plan.num_replays, len(replays))
            self.assertEqual(plan.model_calls, 10 + sum(10 - j for _, j in replays))
            groups = list(plan.groups())
            self.assertEqual(len(groups), plan.num_groups)
            self.assertEqual(sum(group.count for group in groups), len(replays))
            for group in groups:
                for index in range(group.first, group.first + group.count):
                    self.assertEqual(plan.replay(index)[0], group.start)

    def test_step_actions(self):
        with lemica.Plan(8, 4) as plan:
            index = plan.replays().index((2, 5))
            actions = [plan.step_action(index, t) for t in range(8)]
            A = lemica.StepAction
            self.assertEqual(actions, [A.FROM_REFERENCE] * 3 + [A.REUSE] * 2 + [A.COMPUTE] * 3)
            with self.assertRaises(lemica.OutOfRangeError):
                plan.step_action(index, 8)

    def test_selection(self):
        with lemica.Plan(12, 4) as plan:
            plan.select_start(0, False)
            self.assertFalse(plan.is_selected(0, 3))
            plan.select_all(False)
            self.assertEqual(plan.num_replays, 0)
            self.assertEqual(plan.model_calls, 12)
            plan.select_segment(3, 6)
            self.assertEqual(plan.replays(), [(3, 6)])
            self.assertEqual(plan.group(0), lemica.PlanGroup(3, 0, 1))
            with self.assertRaises(lemica.OutOfRangeError):
                plan.select_segment(3, 4)
            with self.assertRaises(lemica.OutOfRangeError):
                plan.group(1)



class BulkActionTest(unittest.TestCase):
    """The whole plan in one pass (issue 16, point 12): the same answers as
    step_action, without one C call per (replay, step)."""

    def plans(self):
        full = lemica.Plan(12, 4)
        partial = lemica.Plan(12, 4)
        partial.select_all(False)
        for segment in ((0, 2), (0, 4), (3, 6), (7, 11), (9, 11)):
            partial.select_segment(*segment)
        empty = lemica.Plan(5, 2)
        empty.select_all(False)
        single = lemica.Plan(3, 2)
        return [full, partial, empty, single]

    def test_bulk_accessors_agree_with_step_action(self):
        for plan in self.plans():
            with plan, self.subTest(plan=repr(plan)):
                expected = [[plan.step_action(r, t) for t in range(plan.num_steps)]
                            for r in range(plan.num_replays)]
                self.assertEqual([list(plan.replay_actions(r))
                                  for r in range(plan.num_replays)], expected)
                actions = plan.action_array()
                self.assertEqual(actions.shape, (plan.num_replays, plan.num_steps))
                self.assertEqual(actions.tolist(), [[int(a) for a in row] for row in expected])
                segments = plan.replay_array()
                self.assertEqual(segments.shape, (plan.num_replays, 2))
                self.assertEqual([tuple(row) for row in segments.tolist()], plan.replays())
                self.assertTrue(all(isinstance(a, lemica.StepAction)
                                    for r in range(plan.num_replays)
                                    for a in plan.replay_actions(r)))

    def test_one_c_call_per_replay(self):
        cdll = _library.library()
        counts = {"lemica_plan_step_action": 0, "lemica_plan_replay": 0}
        originals = {name: getattr(cdll, name) for name in counts}

        def counting(name):
            def call(*args):
                counts[name] += 1
                return originals[name](*args)
            return call

        with lemica.Plan(60, 8) as plan:
            replays = plan.num_replays
            try:
                for name in counts:
                    setattr(cdll, name, counting(name))
                actions = plan.action_array()
                for r in range(replays):
                    plan.replay_actions(r)
            finally:
                for name, original in originals.items():
                    setattr(cdll, name, original)
        self.assertEqual(counts, {"lemica_plan_step_action": 0,
                                  "lemica_plan_replay": 2 * replays})
        self.assertEqual(int(numpy.count_nonzero(actions == lemica.StepAction.REUSE)),
                         sum(j - i - 1 for i in range(60)
                             for j in range(i + 2, min(i + 8, 59) + 1)))

    def test_bad_replay_index(self):
        with lemica.Plan(10, 3) as plan:
            with self.assertRaises(lemica.OutOfRangeError):
                plan.replay_actions(plan.num_replays)


if __name__ == "__main__":
    unittest.main()
