"""The analytics benchmark's floors: the same aggregates as ``backend.analytics``, written by
hand in raw SQL on the same tables (the passages, the roles, the decisions), for every action or
for the actions of some projects. Read by ``bench.analytics_bench``."""

WAITING = "('consultation', 'ready_for_board', 'scheduled', 'in_progress', 'evaluation')"
COUNTED = "('invited', 'accepted', 'declined', 'changes_requested')"
# The floors, written by hand. ``{actions}`` joins the actions when the scope is narrowed
# (``{scoped}``: the actions of the projects %(projects)s).
FLOOR_TIME_IN_STATE = f"""
WITH finished AS (
    SELECT s.state, s.subject_id,
           SUM(date_part('epoch', s.left_at - s.entered_at)) / 86400.0 AS days
    FROM workflows_statestay s {{actions}}
    WHERE s.subject_type_id = %(action_type)s AND s.state IN {WAITING}
      AND s.left_at IS NOT NULL {{scoped}}
    GROUP BY s.state, s.subject_id
), stats AS (
    SELECT state, COUNT(*) AS actions, percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90
    FROM finished GROUP BY state
), now AS (
    SELECT s.subject_id, s.state, s.entered_at,
           date_part('epoch', now() - s.entered_at) / 86400.0 AS days
    FROM workflows_statestay s {{actions}}
    WHERE s.subject_type_id = %(action_type)s AND s.state IN {WAITING}
      AND s.left_at IS NULL {{scoped}}
)
SELECT n.state, COUNT(*), COUNT(*) FILTER (WHERE n.days > st.p90), MIN(st.actions)
FROM now n LEFT JOIN stats st ON st.state = n.state GROUP BY n.state
"""
FLOOR_FLAGGED = FLOOR_TIME_IN_STATE.replace(
    "SELECT n.state, COUNT(*), COUNT(*) FILTER (WHERE n.days > st.p90), MIN(st.actions)\n"
    "FROM now n LEFT JOIN stats st ON st.state = n.state GROUP BY n.state",
    "SELECT n.subject_id, t.title, n.state, n.entered_at, n.days, st.p90\n"
    "FROM now n JOIN stats st ON st.state = n.state JOIN actions_action t ON t.id = n.subject_id\n"
    "WHERE n.days > st.p90 ORDER BY n.days / GREATEST(st.p90, 1.0 / 24) DESC LIMIT 50",
)
FLOOR_PARTNERS = f"""
SELECT r.organisation_id, o.name, COUNT(*), COUNT(r.responded_at),
       COUNT(*) FILTER (WHERE r.state = 'declined'),
       COUNT(*) FILTER (WHERE r.state = 'changes_requested'),
       COUNT(*) FILTER (WHERE r.state = 'invited'),
       SUM(r.reminders_before_answer) FILTER (WHERE r.responded_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY date_part('epoch', r.responded_at - r.invited_at) / 86400.0),
       percentile_cont(0.9) WITHIN GROUP (
           ORDER BY date_part('epoch', r.responded_at - r.invited_at) / 86400.0)
FROM actions_roleassignment r JOIN partners_organisation o ON o.id = r.organisation_id
    {{role_actions}}
WHERE r.invited_at IS NOT NULL AND r.state IN {COUNTED} {{scoped}}
GROUP BY r.organisation_id, o.name
"""
FLOOR_CATEGORIES = f"""
SELECT c.category, COUNT(*), COUNT(r.responded_at),
       COUNT(*) FILTER (WHERE r.state = 'declined'),
       COUNT(*) FILTER (WHERE r.state = 'changes_requested'),
       COUNT(*) FILTER (WHERE r.state = 'invited'),
       SUM(r.reminders_before_answer) FILTER (WHERE r.responded_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY date_part('epoch', r.responded_at - r.invited_at) / 86400.0),
       percentile_cont(0.9) WITHIN GROUP (
           ORDER BY date_part('epoch', r.responded_at - r.invited_at) / 86400.0)
FROM actions_roleassignment r JOIN partners_contact c ON c.id = r.contact_id {{role_actions}}
WHERE r.invited_at IS NOT NULL AND r.state IN {COUNTED} {{scoped}}
GROUP BY c.category
"""
FLOOR_BOARD = """
WITH decided AS (
    SELECT d.id, d.action_id, d.outcome, d.recorded_at, MAX(s.entered_at) AS scheduled_at
    FROM board_boarddecision d {decision_actions}
    LEFT JOIN workflows_statestay s ON s.subject_type_id = %(action_type)s
         AND s.state = 'scheduled' AND s.subject_id = d.action_id
         AND s.entered_at < d.recorded_at
    WHERE d.action_id IS NOT NULL {scoped}
    GROUP BY d.id, d.action_id, d.outcome, d.recorded_at
)
SELECT d.outcome, COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY date_part('epoch', d.recorded_at - r.entered_at) / 86400.0),
       percentile_cont(0.9) WITHIN GROUP (
           ORDER BY date_part('epoch', d.recorded_at - r.entered_at) / 86400.0)
FROM decided d LEFT JOIN workflows_statestay r ON r.subject_type_id = %(action_type)s
     AND r.state = 'ready_for_board' AND r.subject_id = d.action_id
     AND r.left_at = d.scheduled_at
GROUP BY d.outcome
"""
FLOOR_DEFERRALS = """
SELECT COUNT(*), COUNT(DISTINCT d.action_id),
       COUNT(DISTINCT d.action_id) FILTER (WHERE d.outcome = 'deferred'),
       COUNT(*) FILTER (WHERE d.outcome = 'deferred')
FROM board_boarddecision d {decision_actions}
WHERE d.action_id IS NOT NULL {scoped}
"""


def floors(scoped: bool) -> dict[str, list[str]]:
    """Each request's statements, for every action or for those of some projects."""
    joins = {
        "actions": "JOIN actions_action a ON a.id = s.subject_id" if scoped else "",
        "role_actions": "JOIN actions_action a ON a.id = r.action_id" if scoped else "",
        "decision_actions": "JOIN actions_action a ON a.id = d.action_id" if scoped else "",
        "scoped": "AND a.project_id = ANY(%(projects)s)" if scoped else "",
    }

    def fill(sql: str, **extra) -> str:
        return sql.format(**joins, **extra)

    time_in_state = [fill(FLOOR_TIME_IN_STATE)]
    flagged = [fill(FLOOR_FLAGGED)]
    partners = [fill(FLOOR_PARTNERS)]
    categories = [fill(FLOOR_CATEGORIES)]
    board = [fill(FLOOR_BOARD), fill(FLOOR_DEFERRALS)]
    return {
        "/api/v1/analytics/time-in-state/": time_in_state,
        "/api/v1/analytics/flagged/": flagged,
        "/api/v1/analytics/partners/": partners,
        "/api/v1/analytics/partner-categories/": categories,
        "/api/v1/analytics/board/": board,
        "/pilotage/": [*time_in_state, *flagged],
        "/pilotage/partenaires/": partners,
        "/pilotage/categories/": categories,
        "/pilotage/conseil/": board,
    }
