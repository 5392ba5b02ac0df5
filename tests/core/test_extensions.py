"""Extension points: the lower app declares, the upper app registers in ready(); all are filled."""

from __future__ import annotations

from core.extensions import ExtensionPoint, extension_points

EXPECTED = {
    "core.periodic": {"core.runs.reap_stale", "enrollment.offers_expire", "supervision.grades_due"},
    "scheduling.shared_pupils": {"enrollment.seats"},
    "scheduling.feed_sources": {"enrollment.pupil_week"},
    "allocation.seed_hints": {"demo.lottery_seed"},
    "scheduling.publish_checks": {"participation.five_plus_two"},
    "partners.provider_holds": {"supervision.red_institutions"},
}


def test_every_extension_point_has_its_contributions():
    points = extension_points()
    for name, keys in EXPECTED.items():
        assert name in points, name
        assert keys <= set(points[name].keys()), (name, points[name].keys())
    assert set(points) >= set(EXPECTED)


def test_registering_a_key_again_replaces_it_and_order_is_kept():
    point: ExtensionPoint = ExtensionPoint("tests.example", "a point for this test")
    point.register("b", key="b", order=2)
    point.register("a", key="a", order=1)
    point.register("b2", key="b", order=2)
    assert list(point) == ["a", "b2"] and len(point) == 2
