"""Exports of the actions (roles, decisions, evaluations) and of the evaluation indicators,
as CSV, XLSX and ODS: ``rows`` selects and shapes, ``writers`` writes."""
