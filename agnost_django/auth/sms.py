"""SMS backends, chosen by ``AGNOST_AUTH_SMS_BACKEND`` (a dotted path).

A backend is a class with ``send_messages(messages) -> int``; each message has ``to`` (an
E.164 number) and ``body``. Raise an exception when sending fails: the route answers
``cannot_send_sms_code`` and nothing is recorded as sent.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from agnost_django.auth.conf import auth_settings


@dataclass(frozen=True)
class SMSMessage:
    to: str
    body: str


class BaseSMSBackend:
    """The contract of SMS backends."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        """Send the messages; return how many were sent; raise on failure."""
        raise NotImplementedError("SMS backends implement send_messages()")


class ConsoleBackend(BaseSMSBackend):
    """Writes each SMS to standard output (development)."""

    def send_messages(self, messages):
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return len(messages)


outbox: list[SMSMessage] = []
_outbox_lock = threading.Lock()


class LocMemBackend(BaseSMSBackend):
    """Keeps messages in ``agnost_django.auth.sms.outbox`` (tests), like Django's
    ``mail.outbox``."""

    def send_messages(self, messages):
        with _outbox_lock:
            outbox.extend(messages)
        return len(messages)


def send_sms(to: str, body: str) -> None:
    auth_settings.SMS_BACKEND().send_messages([SMSMessage(to=to, body=body)])


class FileBackend(BaseSMSBackend):
    """Appends each SMS as a JSON line ``{"to", "body"}`` to ``AGNOST_AUTH_SMS_FILE_PATH``
    (development and end-to-end tests, like Django's file email backend)."""

    def send_messages(self, messages):
        import json

        path = auth_settings.SMS_FILE_PATH
        if not path:
            raise RuntimeError("AGNOST_AUTH_SMS_FILE_PATH is not set.")
        with _outbox_lock, open(path, "a", encoding="utf-8") as handle:
            for message in messages:
                handle.write(json.dumps({"to": message.to, "body": message.body}) + "\n")
        return len(messages)
