"""Swap clearing: once a month, a global set of disjoint pairs and cycles of opted-in homes that swaps as many
households as possible, fairly, each proposed through the swaps workflow.

- `solver`: candidates on the can-host graph and the exact choice (HiGHS), greedy baseline, LP bound — and
  THE objective, written once there;
- `services`: the opt-in switch, a run (pool, graph, solve, proposals, record), the memory of failing edges;
- `selectors`: what the pages and the API read (my proposal of the month, the runs and their figures).
"""
