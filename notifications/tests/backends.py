"""Email backends for tests: one that fails the first send with an SMTP error, then works."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

_lock = threading.Lock()
failures_left = 0


def fail_next(times: int = 1) -> None:
    global failures_left
    with _lock:
        failures_left = times


class FailOnceBackend(LocmemBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        global failures_left
        with _lock:
            if failures_left > 0:
                failures_left -= 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed (test)")
        return super().send_messages(messages)
