"""Treatment catalogue, courses and their sessions."""
