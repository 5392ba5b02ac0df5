#!/usr/bin/env bash
# The first-come rush: many parents take leftover seats at the same moment, over HTTP.
#
#   bench/rush.sh                      # defaults below; every knob is an environment variable
#   DURATION=20 CONNS=16 WORKERS=4 bench/rush.sh
#   WORKER_CLASS=gthread THREADS=4 WORKERS=2 bench/rush.sh     # gunicorn threads instead of processes
#
# Resets the PostgreSQL database `kehou_bench` (never the development or test databases), seeds
# PUPILS parents with bearer tokens (and BURST more for one extra section), measures pgbench on the
# same server (simple-update, -N, and select-only, -S, for reference), then runs gunicorn on
# 127.0.0.1 and
#   1. wrk against POST /api/v1/enrollments, each request a different parent and pupil;
#   2. wrk against GET /healthz through the same gunicorn (the cheapest request: the floor);
#   3. the opening instant: BURST parents (a connection each, opened first; bench/rush_burst.py, one
#      asyncio loop) POST for one SEATS-seat section at the same moment.
# Afterwards SQL checks that no section holds more enrolled pupils than seats, and that the burst
# section seated exactly SEATS. Writes bench/results/rush.md (bench/rush_report.py: the issue's
# targets, met or not).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}          # seconds of wrk load (and of each pgbench run)
CONNS=${CONNS:-16}                # wrk connections = pgbench clients
WRK_THREADS=${WRK_THREADS:-2}     # wrk threads = pgbench threads
WORKERS=${WORKERS:-3}             # gunicorn worker processes (3 on 2 cores: the best tail, bench/results/rush-issue15.md)
WORKER_CLASS=${WORKER_CLASS:-sync} # gunicorn worker class: sync or gthread
THREADS=${THREADS:-1}             # gunicorn threads per worker (gthread; more than 1 implies gthread)
BURST=${BURST:-300}               # parents pressing "take a seat" for one SEATS-seat section at once
PUPILS=${PUPILS:-30000}           # parents/pupils seeded (each request uses the next one)
SECTIONS=${SECTIONS:-20}          # sections pupils rush into (pupil i -> section i mod SECTIONS)
SEATS=${SEATS:-30}                # seats per section
PORT=${PORT:-8765}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=kehou_bench
export PGHOST PGPORT PGUSER
URL="postgresql://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
PY=.venv/bin/python
OUT=var/bench
mkdir -p "$OUT" bench/results

echo "== reset database $DB"
psql -q -d postgres -c "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" -c "CREATE DATABASE ${DB}"
export DATABASE_URL="$URL" DJANGO_ENV=test DEBUG=0 CONN_MAX_AGE=600 LOG_LEVEL=WARNING
$PY manage.py migrate --noinput -v0
$PY bench/rush_seed.py "$PUPILS" "$SECTIONS" "$SEATS" "$OUT/rush_tokens.txt" "$BURST" "$OUT/burst_tokens.txt"

echo "== pgbench on the same server (${DURATION}s each, ${CONNS} clients)"
pgbench -i -q -s 10 "$DB" >/dev/null 2>&1
cut -d' ' -f1-3 /proc/loadavg > "$OUT/load_pgbench.txt"
pgbench -N -c "$CONNS" -j "$WRK_THREADS" -T "$DURATION" -n "$DB" > "$OUT/pgbench_simple_update.txt" 2>&1
pgbench -S -c "$CONNS" -j "$WRK_THREADS" -T "$DURATION" -n "$DB" > "$OUT/pgbench_select_only.txt" 2>&1
grep -h "^tps" "$OUT"/pgbench_*.txt || true

echo "== gunicorn (${WORKERS} workers, ${WORKER_CLASS}, ${THREADS} threads each) on 127.0.0.1:${PORT}"
.venv/bin/gunicorn config.wsgi -w "$WORKERS" -k "$WORKER_CLASS" --threads "$THREADS" -b "127.0.0.1:${PORT}" \
  --log-level warning --backlog 2048 > "$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fs -o /dev/null "http://127.0.0.1:${PORT}/api/v1/openapi.json" && break
  sleep 0.2
done
# warm every worker (imports, connections) without taking seats
for _ in $(seq 1 $((WORKERS * 4))); do curl -s -o /dev/null "http://127.0.0.1:${PORT}/api/v1/openapi.json"; done

cut -d' ' -f1-3 /proc/loadavg > "$OUT/load_wrk.txt"
echo "== wrk: ${CONNS} connections, ${DURATION}s, every request a different parent"
RUSH_TOKENS="$OUT/rush_tokens.txt" RUSH_THREADS="$WRK_THREADS" \
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s -s bench/rush.lua \
  "http://127.0.0.1:${PORT}/api/v1/enrollments" | tee "$OUT/wrk.txt"
# Django's floor on this machine: the cheapest request there is (GET /healthz, one SELECT 1, no
# auth, no write) through the same gunicorn, wrk connections and duration.
echo "== wrk: the same gunicorn on GET /healthz (the cheapest request)"
wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:${PORT}/healthz" | tee "$OUT/wrk_floor.txt"
echo "== the opening instant: ${BURST} parents, one ${SEATS}-seat section, all at once"
sleep 1
$PY bench/rush_burst.py "$OUT/burst_tokens.txt" 127.0.0.1 "$PORT" "$OUT/burst.json"
kill $GUNICORN; wait $GUNICORN 2>/dev/null || true
trap - EXIT

echo "== verify in SQL"
psql -At -d "$DB" > "$OUT/verify.txt" <<'SQL'
SELECT 'overbooked_seats', coalesce(sum(greatest(n - capacity, 0)), 0) FROM (
  SELECT s.capacity, count(e.id) AS n FROM courses_section s
  LEFT JOIN enrollment_enrollment e ON e.section_id = s.id AND e.status = 'enrolled' GROUP BY s.id, s.capacity) t;
SELECT 'sections_full', count(*) FROM (
  SELECT s.id FROM courses_section s JOIN enrollment_enrollment e ON e.section_id = s.id AND e.status = 'enrolled'
  GROUP BY s.id, s.capacity HAVING count(*) = s.capacity) t;
SELECT 'seats_total', sum(capacity) FROM courses_section;
SELECT 'enrolled', count(*) FROM enrollment_enrollment WHERE status = 'enrolled';
SELECT 'waitlisted', count(*) FROM enrollment_enrollment WHERE status = 'waitlisted';
SELECT 'duplicate_active_rows', count(*) FROM (SELECT student_id, section_id FROM enrollment_enrollment
  WHERE status IN ('enrolled', 'waitlisted') GROUP BY 1, 2 HAVING count(*) > 1) d;
SELECT 'audit_events', count(*) FROM core_auditevent WHERE action LIKE 'enrollment.%';
SELECT 'burst_capacity', s.capacity FROM courses_section s JOIN courses_course c ON c.id = s.course_id
  WHERE c.title = '抢课';
SELECT 'burst_enrolled', count(*) FROM enrollment_enrollment e JOIN courses_section s ON s.id = e.section_id
  JOIN courses_course c ON c.id = s.course_id WHERE c.title = '抢课' AND e.status = 'enrolled';
SELECT 'burst_waitlisted', count(*) FROM enrollment_enrollment e JOIN courses_section s ON s.id = e.section_id
  JOIN courses_course c ON c.id = s.course_id WHERE c.title = '抢课' AND e.status = 'waitlisted';
SQL
cat "$OUT/verify.txt"

echo "== pgbench running the enrollment's own SQL, ${CONNS} clients"
cat > "$OUT/rush_txn.sql" <<'PGBENCH'
-- pgbench custom script: the database side of one first-come enrollment, without Python.
-- Lock the section row, count its seats held, write one row and one audit event, commit.
-- Rows are written as 'withdrawn' so they never meet the one-active-seat constraint and never
-- count as seats; bench/rush.sh runs this after the HTTP run has been verified.
\set sec random(:sec_lo, :sec_hi)
\set pupil random(:pupil_lo, :pupil_hi)
BEGIN;
SELECT id FROM enrollment_student WHERE id = :pupil FOR NO KEY UPDATE;
SELECT id, capacity FROM courses_section WHERE id = :sec FOR NO KEY UPDATE;
SELECT count(*) FILTER (WHERE status = 'enrolled'), count(*) FILTER (WHERE status = 'waitlisted')
  FROM enrollment_enrollment WHERE section_id = :sec;
INSERT INTO enrollment_enrollment (student_id, section_id, status, source, created_at, updated_at, end_reason, note, request_key)
  VALUES (:pupil, :sec, 'withdrawn', 'first_come', now(), now(), '', 'pgbench', '');
INSERT INTO core_auditevent (at, action, object_type, object_id, data)
  VALUES (now(), 'bench.enrollment', 'enrollment.enrollment', '0', '{}');
END;
PGBENCH
read -r SEC_LO SEC_HI PUPIL_LO PUPIL_HI < <(psql -At -F' ' -d "$DB" -c \
  "SELECT (SELECT min(id) FROM courses_section), (SELECT max(id) FROM courses_section),
          (SELECT min(id) FROM enrollment_student), (SELECT max(id) FROM enrollment_student)")
pgbench -n -f "$OUT/rush_txn.sql" -c "$CONNS" -j "$WRK_THREADS" -T "$DURATION" \
  -D sec_lo="$SEC_LO" -D sec_hi="$SEC_HI" -D pupil_lo="$PUPIL_LO" -D pupil_hi="$PUPIL_HI" "$DB" \
  > "$OUT/pgbench_enroll_sql.txt" 2>&1 || true
grep -h "^tps" "$OUT/pgbench_enroll_sql.txt" || tail -3 "$OUT/pgbench_enroll_sql.txt"

$PY bench/rush_report.py "$OUT" "bench/results/rush.md" \
  "DURATION=$DURATION CONNS=$CONNS WRK_THREADS=$WRK_THREADS WORKERS=$WORKERS WORKER_CLASS=$WORKER_CLASS THREADS=$THREADS PUPILS=$PUPILS SECTIONS=$SECTIONS SEATS=$SEATS BURST=$BURST"
echo "== wrote bench/results/rush.md"
