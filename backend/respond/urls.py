from django.urls import path

from backend.respond import views

app_name = "respond"

# ``path:`` so that any garbage after /respond/ reaches the view (bad-link counting, our page).
urlpatterns = [path("<path:token>/", views.respond, name="page")]
