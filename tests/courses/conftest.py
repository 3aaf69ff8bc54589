"""Course fixtures live in tests/conftest.py (the reminders tests share them)."""
