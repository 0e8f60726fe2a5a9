"""Queries the pages read (one place per area)."""
