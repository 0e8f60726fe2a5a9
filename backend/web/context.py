"""What every staff page's layout needs: the unread notifications count for the header."""

from notifications.inbox import unread_count


def layout(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff_member:
        return {}
    # A callable: the template calls it only where the header shows it (not in the admin).
    return {"unread_notifications": lambda: unread_count(user)}
