"""Timetables, placements, solve runs and pins (filled in by the timetable-site work)."""
