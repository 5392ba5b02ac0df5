"""`python manage.py seed_demo --size district|small [--seed N]`: the demo district, once."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.district import (
    DEMO_LOGINS,
    DEMO_PARENT_PHONE,
    DEMO_SEED,
    demo_timetable_schools,
    row_counts,
    seed_demo,
)
from demo.guard import refuse_in_production


class Command(BaseCommand):
    help = "Create the demo district (示范区) with schools, pupils, courses and demo logins; does nothing if present."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=["district", "small"],
            required=True,
            help="district: 42 schools, ~44,000 pupils (about a minute); small: 3 schools, ~650 pupils (tests)",
        )
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"random seed (default {DEMO_SEED})")
        parser.add_argument(
            "--with-history",
            action="store_true",
            help="also a term of attendance registers so far (~3.9 million rows for the district; about 2 minutes)",
        )
        parser.add_argument(
            "--timetables",
            choices=["none", "demo", "all"],
            default="none",
            help=(
                "solve and publish timetables: demo = the schools of the demo logins and the partner teacher's "
                "host schools (up to 10 s each), "
                "all = every school (about 7 minutes for the district)"
            ),
        )
        parser.add_argument(
            "--timetable-seconds", type=float, default=10.0, help="solver time limit per school (default 10)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production()
        verbose = options["verbosity"] >= 1
        say = self.stdout.write if verbose else None
        if verbose:
            self.stdout.write(f"生成示范数据：规模 {options['size']}，随机种子 {options['seed']}")
        try:
            report = seed_demo(options["size"], options["seed"], log=say)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["timetables"] != "none":
            from demo.timetables import publish_demo_timetables

            codes = None if options["timetables"] == "all" else demo_timetable_schools()
            publish_demo_timetables(school_codes=codes, time_limit=options["timetable_seconds"], log=say)
        if options["with_history"]:
            from demo.history import seed_history

            seed_history(seed=options["seed"], log=say)
        if not verbose:
            return
        if not report.created:
            self.stdout.write(self.style.WARNING("示范数据已存在（学区代码 demo），未做任何更改。"))
        else:
            counts = row_counts()
            summary = "，".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(f"行数：{summary}")
            self.stdout.write(self.style.SUCCESS(f"完成，总用时 {report.elapsed:.1f} 秒。"))
        self._logins()

    def _logins(self) -> None:
        """The demo accounts as an aligned table (CJK characters are two columns wide)."""
        password = settings.KEHOU_DEMO_PASSWORD
        rows = [("用户名", "角色", "范围", "密码")] + [
            (d["username"], d["role"], d["scope"], password) for d in DEMO_LOGINS
        ]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {password}；家长 parent 也可用手机号 {DEMO_PARENT_PHONE} 登录）：")
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
