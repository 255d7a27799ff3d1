"""Every query, one module per concept; each function takes a keyword-only `session` and
never commits:

audit (inbox and audit log), batching, checkins, cycles (which one is current), digest (the
team digest's reads), okrs, outbox, people, reviews, schedules (schedules, holidays,
absences), teams (memberships, leads, how a team name is matched), tokens (the KR API).

A statement that a look-up, the App Home, a check-in or a prompt runs is built once, at import,
as a module-level `_NAME` whose values are `bindparam`s (expanding for lists) given at each
call: building a select cost as much as running it (bench/README.md, sixth run).
"""
