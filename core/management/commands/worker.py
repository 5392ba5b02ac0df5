"""`manage.py worker`: the background worker — Django Tasks' database worker plus the periodic jobs.

The same options as `db_worker`; `--no-periodic` leaves the periodic jobs to another worker.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.periodic import Beat


class Command(DbWorkerCommand):
    help = "Run the background worker: queued tasks and the periodic jobs (reaping, offer expiry)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-periodic", action="store_true", help="do not run the periodic jobs here")

    def handle(self, *args: Any, no_periodic: bool = False, **options: Any) -> None:
        if not no_periodic:
            Beat().start()
        super().handle(*args, **options)
