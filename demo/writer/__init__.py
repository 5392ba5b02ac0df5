"""Writing a demo plan, phase by phase: the set-up through the apps' services (demo.writer.setup),
the mass rows in bulk (demo.writer.bulk, whose docstring gives the measured reason)."""

from __future__ import annotations

import time
from collections.abc import Callable

from demo.writer.bulk import BulkSteps
from demo.writer.setup import SetupSteps


class Writer(SetupSteps, BulkSteps):
    """Writes one plan; run it inside the caller's transaction."""

    def write(self) -> list[tuple[str, float]]:
        """Write every phase in order (each links to rows of the earlier ones); (label, seconds) per phase."""
        phases: list[tuple[str, Callable[[], str]]] = [
            ("学区、学校与合作机构", self._places),
            ("账号与合作机构教师", self._accounts),
            ("合作课程", self._partner_courses),
            ("学期、校历与时段", self._calendar),
            ("教室", self._rooms),
            ("本校教师", self._teachers),
            ("班级", self._classes),
            ("课程与教学班", self._courses),
            ("家庭、家长与学生", self._families),
            ("报名窗口与通知", self._windows_and_notices),
            ("志愿与作业辅导名额", self._choices),
            ("校际路程", self._travel),
        ]
        done: list[tuple[str, float]] = []
        for i, (label, step) in enumerate(phases, start=1):
            t0 = time.perf_counter()
            detail = step()
            took = time.perf_counter() - t0
            done.append((label, took))
            self.say(f"[{i}/{len(phases)}] {label}：{detail}（{took:.1f} 秒）")
        return done


__all__ = ["Writer"]
