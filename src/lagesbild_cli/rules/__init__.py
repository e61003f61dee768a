"""The statistical rules the report's method section states: intervals, tests, disclosure control, breaks."""
