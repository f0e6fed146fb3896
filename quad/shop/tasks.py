"""The shop has no background work of its own."""
