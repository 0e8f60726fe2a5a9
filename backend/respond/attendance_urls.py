from django.urls import path

from backend.respond import attendance_page

app_name = "attendance"

# ``path:`` last, so that any garbage after /attendance/ reaches the page (bad-link counting).
urlpatterns = [
    path("<str:token>/dossier/", attendance_page.attendance_board_file, name="board_file"),
    path("<str:token>/proces-verbal/", attendance_page.attendance_minutes, name="minutes"),
    path("<path:token>/", attendance_page.attendance, name="page"),
]
