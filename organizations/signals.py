"""Events of this app that higher apps react to (they connect receivers; this app never imports them)."""

from django.dispatch import Signal

# Sent after the transaction that reset someone's password commits: kwargs `account` (User), `by` (User),
# `reset` (PasswordReset). commitments turns it into an in-app notification to the account's owner.
password_reset_done = Signal()
