from agnost_django.auth.adapter import DefaultAuthAdapter


class ClosedAdapter(DefaultAuthAdapter):
    def is_open_for_signup(self, request, *, email, phone):
        return False
