"""Pages reached from the e-mails (included at the site's root: ``/unsubscribe/<token>/``)."""

from django.urls import path

from notifications.delivery.unsubscribe import unsubscribe_view

app_name = "notifications"

urlpatterns = [path("unsubscribe/<str:token>/", unsubscribe_view, name="unsubscribe")]
