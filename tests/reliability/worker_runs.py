"""What the fault tests of the e-mails and of the webhooks do alike around the worker: count
the tasks it finished, send it a beat tick and wait for it, run extra sweepers in this
process, and build actions with a pilot to submit."""

import re
import threading

from django.db import connection

from tests import factories
from tests.reliability.processes import wait_until


def finished_tasks(worker, name: str) -> int:
    """How many ``name`` tasks the worker has logged as succeeded."""
    return len(re.findall(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", worker.log()))


def run_on_worker(app, worker, task: str, timeout: float = 60) -> None:
    """One beat tick: ``task`` sent through the broker; returns when the worker has run it."""
    done = finished_tasks(worker, task)
    app.send_task(task)
    wait_until(
        lambda: finished_tasks(worker, task) > done,
        timeout,
        interval=0.1,
        message=f"the worker did not run {task}:\n{worker.log()[-3000:]}",
    )


def start_sweepers(sweep, count: int = 2) -> list[threading.Thread]:
    """``count`` sweeps in threads of this process (a manual command, a stray beat), each
    closing its own database connection; join the threads returned."""

    def sweep_here():
        try:
            sweep()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep_here) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def pilots(count: int, project, organisation) -> list:
    """``count`` draft actions, each with a pilot (with a contact) of ``organisation``: the
    pilots' roles, ready to submit."""
    return [
        factories.RoleFactory(
            action=factories.ActionFactory(project=project), organisation=organisation
        )
        for _ in range(count)
    ]


def submit_over_api(client, action_id: int):
    return client.post(f"/api/v1/actions/{action_id}/transitions/submit/", {})
