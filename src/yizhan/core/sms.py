"""Pluggable SMS sending. The default backend writes messages to the log (demo, tests);
a production deployment names its gateway's backend in YIZHAN_SMS_BACKEND."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("yizhan.sms")


class LogSmsBackend:
    def send(self, *, mobile: str, message: str) -> None:
        logger.info("SMS to %s: %s", mobile, message)


def send_sms(*, mobile: str, message: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(mobile=mobile, message=message)
