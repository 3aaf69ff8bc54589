"""The patient's own course page: one signed link, no account (issue #17)."""
