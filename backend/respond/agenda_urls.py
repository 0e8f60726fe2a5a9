from django.urls import path

from backend.respond import agenda_page

app_name = "agenda"

# ``path:`` so that any garbage after /agenda/ reaches the view (bad-link counting, our page).
urlpatterns = [path("<path:token>/", agenda_page.agenda, name="page")]
