"""The partner's response page: ``/respond/<token>/``, answered with no account."""
