"""Thin tasks: take ids, call a service. Scheduled runs use the management commands."""

from __future__ import annotations

from django_tasks import task

from quad.memberships import services


@task()
def run_graduate_sweep() -> int:
    return len(services.graduate_sweep())
