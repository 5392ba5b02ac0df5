"""PostgreSQL only: `kehou_enrollment_claim`, the one-round-trip claim of `enrollment.capacity`.

Lock the section (FOR NO KEY UPDATE), count its rows (each statement of a PL/pgSQL function takes
a fresh snapshot: the count sees every row committed before the lock was granted), and in the
common case insert the new row and its audit event. It answers:

- `held` (only when asked, `p_check_held`, and before the section is locked): one row per seat or
  live offer the pupil holds in `p_term` (section, term, course title), for the caller's time-clash
  check (`selectors.seat_clashes`), which then calls again without asking;
- `created`, the row id, its status and (waitlisted) its place in the queue;
- `full`: no free seat and the caller refused the waitlist (`section_full`);
- `python`: the pupil already holds a row here, an offer is due, or a pupil waits while a seat is
  free — the Python path decides, under the lock this call took;
- `missing`: no such section.

The rule is the Python path's (`enrollment.capacity._claim_python` and `_STATE_SQL`);
tests/enrollment/test_claim_paths.py holds the two to the same outcomes. SQLite gets nothing here.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION kehou_enrollment_claim(
    p_student bigint,
    p_section bigint,
    p_now timestamptz,
    p_waitlist boolean,
    p_source varchar,
    p_note varchar,
    p_request_key varchar,
    p_audit boolean,
    p_actor bigint,
    p_ip inet,
    p_school bigint,
    p_audit_at timestamptz,
    p_enrolled_action varchar,
    p_waitlisted_action varchar,
    p_object_type varchar,
    p_data jsonb,
    p_term bigint,
    p_check_held boolean
) RETURNS TABLE (
    outcome text, enrollment_id bigint, seat_status varchar, waitlist_position integer,
    held_section bigint, held_term bigint, held_title varchar
)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_capacity integer;
    v_mine bigint;
    v_held bigint;
    v_due bigint;
    v_waiting bigint;
    v_ahead bigint;
    v_status varchar;
    v_id bigint;
BEGIN
    -- the pupil (locked by the caller) holds seats this term: the caller checks times first
    IF p_check_held THEN
        RETURN QUERY
            SELECT 'held'::text, NULL::bigint, NULL::varchar, NULL::integer, e.section_id, s.term_id, c.title
            FROM enrollment_enrollment e
            JOIN courses_section s ON s.id = e.section_id
            JOIN courses_course c ON c.id = s.course_id
            WHERE e.student_id = p_student AND s.term_id = p_term
              AND (e.status = 'enrolled' OR (e.status = 'waitlisted' AND e.offer_expires_at > p_now));
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    -- step 2: every writer of this section queues here
    SELECT s.capacity INTO v_capacity FROM courses_section s WHERE s.id = p_section FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'missing'::text, NULL::bigint, NULL::varchar, NULL::integer, NULL::bigint, NULL::bigint, NULL::varchar;
        RETURN;
    END IF;
    -- step 3: check (the counts of enrollment.capacity._STATE_SQL), read after the lock was granted
    SELECT
        count(*) FILTER (WHERE e.student_id = p_student AND e.status IN ('enrolled', 'waitlisted')),
        count(*) FILTER (WHERE e.status = 'enrolled' OR (e.status = 'waitlisted' AND e.offer_expires_at > p_now)),
        count(*) FILTER (WHERE e.status = 'waitlisted' AND e.offer_expires_at <= p_now),
        count(*) FILTER (WHERE e.status = 'waitlisted' AND e.offer_expires_at IS NULL),
        count(*) FILTER (WHERE e.status = 'waitlisted' AND e.offer_expires_at IS NULL AND e.created_at <= p_now)
    INTO v_mine, v_held, v_due, v_waiting, v_ahead
    FROM enrollment_enrollment e WHERE e.section_id = p_section;
    IF v_mine > 0 OR v_due > 0 OR (v_waiting > 0 AND v_capacity > v_held) THEN
        RETURN QUERY SELECT 'python'::text, NULL::bigint, NULL::varchar, NULL::integer, NULL::bigint, NULL::bigint, NULL::varchar;
        RETURN;
    END IF;
    -- a free seat (nobody waits for it without an offer) is the taker's; else the waitlist, if wanted
    IF v_capacity > v_held THEN
        v_status := 'enrolled';
    ELSIF p_waitlist THEN
        v_status := 'waitlisted';
    ELSE
        RETURN QUERY SELECT 'full'::text, NULL::bigint, NULL::varchar, NULL::integer, NULL::bigint, NULL::bigint, NULL::varchar;
        RETURN;
    END IF;
    -- write: the row and, in the same transaction, its audit event
    INSERT INTO enrollment_enrollment (
        student_id, section_id, status, source, created_at, updated_at,
        offered_at, offer_expires_at, ended_at, end_reason, note, request_key
    ) VALUES (
        p_student, p_section, v_status, p_source, p_now, p_now, NULL, NULL, NULL, '', p_note, p_request_key
    ) RETURNING id INTO v_id;
    IF p_audit THEN
        INSERT INTO core_auditevent (at, actor_id, action, object_type, object_id, school_id, ip, data)
        VALUES (
            p_audit_at,
            p_actor,
            CASE WHEN v_status = 'enrolled' THEN p_enrolled_action ELSE p_waitlisted_action END,
            p_object_type,
            v_id::text,
            p_school,
            p_ip,
            p_data || jsonb_build_object('student', p_student, 'section', p_section, 'status', v_status)
        );
    END IF;
    RETURN QUERY SELECT
        'created'::text, v_id, v_status, CASE WHEN v_status = 'waitlisted' THEN (v_ahead + 1)::integer END,
        NULL::bigint, NULL::bigint, NULL::varchar;
END
$fn$;
"""

DROP = """
DROP FUNCTION IF EXISTS kehou_enrollment_claim(
    bigint, bigint, timestamptz, boolean, varchar, varchar, varchar, boolean, bigint, inet, bigint,
    timestamptz, varchar, varchar, varchar, jsonb, bigint, boolean
);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0008_extended_care_label"),
        ("core", "0001_initial"),
        ("courses", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
