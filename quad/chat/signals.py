"""Signals higher apps (conduct) listen to; chat never imports them."""

from django.dispatch import Signal

# A moderator removed someone from a group (guidance W12/W13): sent with `member`, `actor`, `reason`
# and `evidence` (the member's recent messages, as they were), inside the transaction.
member_removed = Signal()
# A message was saved: sent with `message`, after the transaction commits (scoring, realtime).
message_posted = Signal()
# The author edited a message: sent with `message`, after the transaction commits (scoring again).
message_edited = Signal()
