"""Societies has no background work of its own yet; email goes through quad.core.tasks."""
