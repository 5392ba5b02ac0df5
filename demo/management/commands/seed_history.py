"""`python manage.py seed_history [--until YYYY-MM-DD] [--seed N] [--replace]`: a term of attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.guard import refuse_in_production
from demo.history import DEFAULT_SEED, seed_history


class Command(BaseCommand):
    help = "Generate a term of registers and attendance for the demo district (after seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="demo", help="district code (default: demo)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--until", type=dt.date.fromisoformat, default=None, help="last day (default: term end)")
        parser.add_argument("--replace", action="store_true", help="delete the district's attendance first")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production()
        say = self.stdout.write if options["verbosity"] >= 1 else None
        try:
            report = seed_history(
                district_code=options["district"],
                seed=options["seed"],
                until=options["until"],
                replace=options["replace"],
                log=say,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if say and report.created:
            for name, seconds in report.phases:
                say(f"  {name}：{seconds:.1f} 秒")
            say(
                self.style.SUCCESS(
                    f"完成：{report.registers} 份点名册，{report.marks} 条考勤，{report.cells} 条日汇总，"
                    f"用时 {report.elapsed:.1f} 秒。"
                )
            )
