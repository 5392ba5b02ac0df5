"""Re-run a course review's expert draw from its frozen inputs and compare it with the experts drawn.

    manage.py review_verify REVIEW

Checks: sha256(seed) equals the commitment recorded before the draw; the ranking of
`supervision.draw_reviews` over the frozen pool gives the drawn experts in rank order (the first
draw, then each further expert after a tie or a recusal). Exits non-zero on any difference.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from supervision import draw_reviews
from supervision.models import CourseReview


class Command(BaseCommand):
    help = "Re-derive a course review's expert draw from its frozen inputs and compare."

    def add_arguments(self, parser) -> None:
        parser.add_argument("review", type=int)

    def handle(self, *args, **options) -> None:
        review = CourseReview.objects.filter(pk=options["review"]).first()
        if review is None:
            raise CommandError(f"no course review {options['review']}")
        if not review.seed:
            raise CommandError("the review has not been drawn yet (no seed revealed)")
        drawn = list(review.assignments.order_by("rank").values_list("expert_id", flat=True))
        problems = draw_reviews.verify(
            seed=review.seed,
            commitment=review.commitment,
            review_id=review.pk,
            pool=[row[0] for row in review.frozen.get("pool", [])],
            drawn=drawn,
        )
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(f"review {review.pk}: verified, {len(drawn)} experts ({review.frozen.get('rule')})")
