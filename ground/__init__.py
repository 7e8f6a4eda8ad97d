"""The ground floor: settings, database, clock, script conversion and logs.

Every other package stands on it; it imports nothing of ours (tests/test_layering.py)."""
