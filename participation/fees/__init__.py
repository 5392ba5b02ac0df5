"""Fees and statements (收费与账单), settled from the registers.

* `rules` — what a meeting costs (the district cap, homework help free or at its own rate), the
  statement period, and the lines of one pupil's statement (charges, refunds by the school's rule,
  exemptions): plain Python over counts read from the marks, so tests can check it on its own.
* `services` — issuing statements for a closed period (frozen lines; issuing again adds audited
  credit/debit correction lines for registers corrected since), exemptions, rules and policy.
* `payments` — importing a payment provider's export (CSV or Excel), all rows or none.
* `selectors` — what a parent (their children's statements), a school (totals and unpaid) and the
  bureau (totals only) may read, each from its `visible_to_*` scope.
"""
