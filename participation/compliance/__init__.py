"""5+2 compliance: the rules (`rules`), the facts a timetable gives them (`facts`), the check run
before a timetable is published (registered with `scheduling.publish_checks.PUBLISH_CHECKS` in
`ParticipationConfig.ready()`), a school's page and the bureau's district table (`selectors`).

Why the rules live here and not in scheduling: three of the five need what only the apps above
timetabling know — pupils per class (homework help for every pupil), the school's gate rules
(extended care) and the district's policy (the off-work time, kept with the fee policy) — so
scheduling declares the extension point and stays ignorant of them.
"""
