"""Signals conduct sends for the apps above it (privacy), which conduct never imports."""

from django.dispatch import Signal

# A case or a report has closed, inside the closing transaction. `people`: the ids of everyone whose
# personal data it holds (subject, reporters, the reported, authors in the evidence). The privacy app
# finishes erasing any of them whose account was erased while it was open.
closed = Signal()
