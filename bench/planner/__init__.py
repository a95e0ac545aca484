"""The planner evaluation: requests with gold pipelines, a scorer, a command that prints the table.

``python -m bench.planner [--planner offline|llm] [--split dev|heldout|all]``.
"""
