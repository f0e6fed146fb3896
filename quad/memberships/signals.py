"""Signals other apps may listen to (memberships never imports them)."""

from django.dispatch import Signal

# A membership has started (paid, or free). Sent inside the transaction that created it, with
# `membership`; receivers that send anything do so on commit.
membership_started = Signal()
