from django.urls import path

from backend.respond import report_page

app_name = "report"

# ``path:`` so that any garbage after /report/ reaches the view (bad-link counting, our page).
urlpatterns = [path("<path:token>/", report_page.report, name="page")]
