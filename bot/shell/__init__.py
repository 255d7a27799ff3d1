"""`okr-bot shell`: the real app with a local stand-in for Slack, driven from a console."""
