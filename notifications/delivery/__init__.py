"""Sending what is due: the sweep that claims due rows (``sweep``), the e-mails built from them
(``emails``, ``lookups``), the daily digests (``digest``) and the unsubscribe links
(``unsubscribe``)."""
