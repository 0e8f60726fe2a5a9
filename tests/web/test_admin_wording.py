"""The admin speaks French to the people who read it: the log's section and its entries say the
steps by name, not the machine's codes."""

import html

from backend.actions.transitions import submit_action


def test_the_admin_shows_the_log_in_words(client, admin_user, action, pilot, social_worker):
    submit_action(action, actor=social_worker)
    admin_user.is_staff = admin_user.is_superuser = True  # as create_staff makes an admin
    admin_user.save()
    client.force_login(admin_user)

    index = html.unescape(client.get("/admin/").content.decode())
    assert "Suivi des étapes" in index
    assert "Workflows" not in index

    log = html.unescape(client.get("/admin/workflows/transitionlog/").content.decode())
    assert "ouvrir la consultation" in log  # the action's submit, as declared
    assert "consultation des partenaires" in log and "brouillon" in log  # its states
    assert '<td class="field-done">submit</td>' not in log
