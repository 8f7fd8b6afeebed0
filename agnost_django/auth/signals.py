"""Signals of the auth module, sent after the change is saved."""

from django.dispatch import Signal

# user, request (or None), provider ("" for email/phone accounts)
user_signed_up = Signal()

# user, request (or None), session
user_signed_in = Signal()

# user, session (the deleted Session instance)
user_signed_out = Signal()

# user, request (or None)
password_changed = Signal()

# user, old, new (old and new email addresses)
email_changed = Signal()

# user, old, new (old and new phone numbers)
phone_changed = Signal()
