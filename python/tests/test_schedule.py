# SPDX-License-Identifier: MIT
"""Schedules: construction, text forms, queries, costs."""

import unittest

import support  # noqa: F401
import lemica


class ScheduleTest(unittest.TestCase):
    def test_from_steps_and_queries(self):
        with lemica.Schedule(10, [0, 1, 4, 9]) as schedule:
            self.assertEqual((schedule.num_steps, schedule.budget), (10, 4))
            self.assertEqual(schedule.steps, (0, 1, 4, 9))
            self.assertEqual(schedule.calls_saved, 6)
            self.assertEqual([schedule.should_compute(t) for t in range(10)],
                             list(schedule.mask))
            self.assertEqual(schedule.mask.count(True), 4)
            with self.assertRaises(lemica.OutOfRangeError):
                schedule.should_compute(10)

    def test_text_round_trip(self):
        with lemica.Schedule.parse_steps(8, "[0, 1, 3, 7]") as schedule:
            self.assertEqual(schedule.format_steps(), "0,1,3,7")
            self.assertEqual(str(schedule), "0,1,3,7")
            self.assertEqual(schedule.format_mask(), "1,1,0,1,0,0,0,1")
            with lemica.Schedule.parse_mask(schedule.format_mask()) as again:
                self.assertEqual(again, schedule)
            with lemica.Schedule.from_mask(schedule.mask) as again:
                self.assertEqual(again.steps, schedule.steps)

    def test_parse_errors(self):
        for text in ("0,2,2,7", "1,3,7", "0,3", "0,07,7", "0,,7"):
            with self.subTest(text=text):
                with self.assertRaises(lemica.ParseError):
                    lemica.Schedule.parse_steps(8, text)
        with self.assertRaises(lemica.ParseError):
            lemica.Schedule.parse_mask("0,1,1")

    def test_costs_after_evaluate(self):
        with lemica.Graph(8, 4) as graph, lemica.Schedule(8, [0, 3, 4, 7]) as schedule:
            graph[0, 3] = 0.5
            graph[4, 7] = 0.25
            self.assertFalse(schedule.has_costs)
            with self.assertRaises(lemica.StateError):
                schedule.max_cost
            schedule.evaluate(graph)
            self.assertEqual(schedule.costs, (0.5, 0.25, 0.0))
            self.assertEqual(schedule.max_cost, 0.5)
            self.assertEqual(schedule.sum_cost, 0.75)
            with lemica.Schedule(8, [0, 2, 7]) as other:
                with self.assertRaises(lemica.NotFoundError):
                    other.evaluate(graph)
                self.assertFalse(other.has_costs)

    def test_copy_keeps_costs(self):
        with lemica.Graph(5, 4) as graph, lemica.Schedule(5, [0, 4]) as schedule:
            graph[0, 4] = 2.0
            schedule.evaluate(graph)
            with schedule.copy() as copy:
                self.assertEqual(copy.costs, (2.0,))

    def test_uniform_schedule(self):
        with lemica.uniform_schedule(50, 10) as schedule:
            self.assertEqual(schedule.budget, 10)
            self.assertEqual(schedule.steps[0], 0)
            self.assertEqual(schedule.steps[-1], 49)
        with self.assertRaises(ValueError):
            lemica.uniform_schedule(5, 6)


if __name__ == "__main__":
    unittest.main()
