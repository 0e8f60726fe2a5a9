"""What to send, to whom and when: the rows the transitions' services plan and cancel
(``notices``), written at once (``rows``), timed by the reminder policies and office hours
(``schedule``), filtered by each person's choices (``preferences``)."""
