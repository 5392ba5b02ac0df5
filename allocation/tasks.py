"""Background jobs of the allocation (run by the worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def allocation_run(run_id: int) -> str:
    """Compute one AllocationRun (ours + three baselines + explanations); its state is on the run's row."""
    from allocation.services import allocation_run_execute

    return allocation_run_execute(run_id=run_id)
