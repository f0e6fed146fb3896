"""Signals other apps may listen to (accounts never imports them)."""

from django.dispatch import Signal

# Sent with `user` when an address on a student domain is verified.
student_verified = Signal()
