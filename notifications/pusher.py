"""Pushing the notifications due now to the workers, without making anyone wait for the broker.

After a transaction commits, its rows due now are handed to this process's pusher thread,
which publishes a ``notifications.deliver_many`` task for them; the request that made the
transition goes on at once. The thread lingers PUSH_LINGER before publishing, so that the
rows of transactions committing meanwhile go in the same task (a burst of transitions costs
a few publishes, not one each), in tasks of at most PUSH_MOST rows.

The push is only for speed: the rows are in the database, and the sweep sends whatever was
not pushed (the broker was down, the process died first) within a minute.

A failed publish costs seconds (kombu and redis-py retry the connection), so after one
failure the pusher drops what it is handed for PUSH_PAUSE, logging it, instead of queueing up
behind a broker known to be down. The thread is started on first use in each process (a
forked worker starts its own) and is given a moment to finish at exit.
"""

import atexit
import logging
import os
import queue
import threading
import time

log = logging.getLogger(__name__)

PUSH_PAUSE = 60.0  # seconds without pushing after a failed push (the sweep's period)
PUSH_LINGER = 0.05  # seconds the thread waits for more rows before it publishes
PUSH_MOST = 100  # rows per task at most (the sweep's batch): a burst is shared by the workers
EXIT_GRACE = 2.0  # seconds the pushes still queued at exit may take


class Pusher:
    def __init__(self):
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.paused_until = 0.0

    def push(self, notification_ids: list[int]) -> None:
        """Hand these rows to the thread (returns at once)."""
        if not notification_ids:
            return
        self._start()
        self._queue.put(list(notification_ids))

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="push", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            notification_ids = self._queue.get()
            if notification_ids is None:
                return
            time.sleep(PUSH_LINGER)  # transactions committing meanwhile join this push
            while True:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                notification_ids += more
            for start in range(0, len(notification_ids), PUSH_MOST):
                self.publish(notification_ids[start : start + PUSH_MOST])

    def publish(self, notification_ids: list[int]) -> None:
        from notifications.tasks import deliver_many

        if time.monotonic() < self.paused_until:
            log.info(
                "notifications %s not pushed (broker down); the sweep will send them",
                notification_ids,
            )
            return
        try:
            deliver_many.apply_async((notification_ids,), retry=False)
        except Exception as error:  # broker down: the sweep will send them
            self.paused_until = time.monotonic() + PUSH_PAUSE
            log.warning(
                "notifications %s not pushed (%s); the sweep will send them, no push for %d s",
                notification_ids,
                error,
                PUSH_PAUSE,
            )

    def wait(self, timeout: float) -> bool:
        """Let the thread publish what it was handed (True if it did within ``timeout``)."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return True
        self._queue.put(None)  # the thread stops after what came before
        thread.join(timeout)
        self._thread = None
        return not thread.is_alive()


pusher = Pusher()
os.register_at_fork(after_in_child=pusher._reset)  # the parent's thread does not follow
atexit.register(pusher.wait, EXIT_GRACE)
