"""PostgreSQL only: `kehou_enrollment_claim` can take the whole first-come claim alone (issue 15 §1).

With `p_alone` the call is its own transaction (the caller runs it in autocommit): it first locks the
pupil (step 1 of `enrollment.capacity`), hands a retry (`p_request_key` already used by this pupil)
to the Python path, then does what the 0009 version did — so the request needs no BEGIN and COMMIT
round trips around it.

The pupil's seats this term (`p_check_held`) are now compared with the set the caller has already
checked for time clashes (`p_held`, sorted section ids; empty in the transactional path, as before):
if they differ, the call answers `held` with the seats (a marker row if there are none) and writes
nothing; the caller checks times against them and calls again with the new set. So a clash check
made before the lock is only used if, under the lock, the seats it looked at are still the seats.

The rule is still the Python path's (`enrollment.capacity._claim_python`, `_STATE_SQL`);
tests/enrollment/test_claim_paths.py holds the paths to the same outcomes. SQLite gets nothing here.
"""

from django.db import migrations

OLD_SIGNATURE = """kehou_enrollment_claim(
    bigint, bigint, timestamptz, boolean, varchar, varchar, varchar, boolean, bigint, inet, bigint,
    timestamptz, varchar, varchar, varchar, jsonb, bigint, boolean
)"""

NEW_SIGNATURE = """kehou_enrollment_claim(
    bigint, bigint, timestamptz, boolean, varchar, varchar, varchar, boolean, bigint, inet, bigint,
    timestamptz, varchar, varchar, varchar, jsonb, bigint, boolean, bigint[], boolean
)"""

CREATE = r"""
CREATE FUNCTION kehou_enrollment_claim(
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
    p_check_held boolean,
    p_held bigint[],
    p_alone boolean
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
    v_held_ids bigint[];
BEGIN
    IF p_alone THEN
        -- step 1: the pupil's lock (clash checks and retries are per pupil)
        PERFORM 1 FROM enrollment_student st WHERE st.id = p_student FOR NO KEY UPDATE;
        -- a retry is answered by the Python path (the first answer, or the refusal it gives)
        IF p_request_key <> '' AND EXISTS (
            SELECT 1 FROM enrollment_enrollment e WHERE e.student_id = p_student AND e.request_key = p_request_key
        ) THEN
            RETURN QUERY SELECT 'python'::text, NULL::bigint, NULL::varchar, NULL::integer, NULL::bigint, NULL::bigint, NULL::varchar;
            RETURN;
        END IF;
    END IF;
    -- the pupil's seats this term, if not those the caller checked times against: back to the caller
    IF p_check_held THEN
        SELECT coalesce(array_agg(DISTINCT e.section_id ORDER BY e.section_id), '{}'::bigint[]) INTO v_held_ids
        FROM enrollment_enrollment e
        JOIN courses_section s ON s.id = e.section_id
        WHERE e.student_id = p_student AND s.term_id = p_term
          AND (e.status = 'enrolled' OR (e.status = 'waitlisted' AND e.offer_expires_at > p_now));
        IF v_held_ids IS DISTINCT FROM coalesce(p_held, '{}'::bigint[]) THEN
            RETURN QUERY
                SELECT 'held'::text, NULL::bigint, NULL::varchar, NULL::integer, e.section_id, s.term_id, c.title
                FROM enrollment_enrollment e
                JOIN courses_section s ON s.id = e.section_id
                JOIN courses_course c ON c.id = s.course_id
                WHERE e.student_id = p_student AND s.term_id = p_term
                  AND (e.status = 'enrolled' OR (e.status = 'waitlisted' AND e.offer_expires_at > p_now));
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'held'::text, NULL::bigint, NULL::varchar, NULL::integer, NULL::bigint, NULL::bigint, NULL::varchar;
            END IF;
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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}")
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        previous = import_module("enrollment.migrations.0009_claim_function")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NEW_SIGNATURE}")
        schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0009_claim_function")]

    operations = [migrations.RunPython(forward, backward)]
