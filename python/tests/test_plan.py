# SPDX-License-Identifier: MIT
"""The profiling plan."""

import unittest

import support  # noqa: F401
import lemica


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


if __name__ == "__main__":
    unittest.main()
