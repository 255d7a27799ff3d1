"""Every query, one module per concept; each function takes a keyword-only `session` and
never commits:

audit (inbox and audit log), batching, checkins, cycles (which one is current), digest (the
team digest's reads), okrs, outbox, people, reviews, schedules (schedules, holidays,
absences), teams (memberships, leads, how a team name is matched), tokens (the KR API).
"""
