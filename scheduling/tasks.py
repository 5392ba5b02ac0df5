"""Background jobs of timetabling, run by `manage.py db_worker` (Django Tasks, queue in the database)."""

from __future__ import annotations

from django_tasks import task


@task()
def solve_timetable(run_id: int) -> str:
    """Solve one SolveRun; its state (progress, result, explanation) is written to the run's row."""
    from scheduling.services import solve_run_execute

    return solve_run_execute(run_id=run_id)
