from django.core.mail.backends.base import BaseEmailBackend

from agnost_django.auth.sms import BaseSMSBackend


class BrokenSMS(BaseSMSBackend):
    def send_messages(self, messages):
        raise ConnectionError("SMS gateway down")


class BrokenMail(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionError("SMTP down")
