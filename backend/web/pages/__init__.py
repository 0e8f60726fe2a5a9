"""The server-rendered pages for staff, one module per area. Each module exports its own
``urlpatterns``; ``backend/web/urls.py`` only joins them under the ``web`` namespace."""
