"""Where the year's actions wait: time in each state, partners' answer times, the board's
delays. Read-only figures computed on each request from the actions' passages through their
states (``workflows.StateStay``, kept by the engine beside the transition log), the roles
and the board's decisions, scoped to the caller's territories (``backend.accounts.scoping``);
the API (``backend.api.analytics_views``) and the page ``/pilotage/`` read the same functions.

Percentiles are PostgreSQL's ``percentile_cont`` (in the database); on another database
(the embedded SQLite of ``make run``) the same rows are read and the percentiles computed in
Python with the same definition (linear interpolation between the closest ranks)."""
