"""The outbox: every Slack post that is not a direct reply (RELIABILITY.md §5–11).

`outbox` inserts rows, `planner` turns schedules into rows, `sender` claims, posts and
reconciles them, `messages` renders each kind, `failures` classifies what Slack answered.
"""
