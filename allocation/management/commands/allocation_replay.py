"""Re-run a window's allocation from its revealed seed and say whether it reproduces the published result."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from allocation.models import AllocationRun
from allocation.services import allocation_replay


class Command(BaseCommand):
    help = "Re-run the published (or latest finished) allocation of a window from its revealed lottery seed."

    def add_arguments(self, parser):
        parser.add_argument("--window", type=int, required=True, help="enrollment window id")
        parser.add_argument("--seed", default=None, help="check this seed instead of the revealed one")

    def handle(self, *args, window: int, seed: str | None, **options):
        runs = AllocationRun.objects.filter(window_id=window, status__in=["published", "succeeded"]).select_related(
            "window"
        )
        run = runs.filter(status="published").first() or runs.first()
        if run is None:
            raise CommandError(f"window {window} has no finished allocation")
        result = allocation_replay(run, seed=seed)
        out = self.stdout
        out.write(f"window {window}, run {run.pk} ({run.status})")
        out.write(f"commitment {run.window.lottery_seed_hash}")
        out.write(f"seed       {seed if seed is not None else run.window.lottery_seed or run.seed}")
        out.write(f"seed matches the commitment: {'yes' if result.commitment_ok else 'NO'}")
        out.write(f"input matches its published fingerprint: {'yes' if result.input_ok else 'NO'}")
        out.write(f"published seats {run.fingerprint}")
        out.write(f"re-run seats    {result.fingerprint}  ({result.seconds:.2f} s)")
        if result.ok:
            out.write(self.style.SUCCESS("REPRODUCED: the re-run gives exactly the published seats."))
            return
        raise CommandError("NOT REPRODUCED: the re-run differs from the published result (or the seed is wrong).")
