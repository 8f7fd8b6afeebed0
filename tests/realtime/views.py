"""A plain Django view of a host that publishes to realtime clients."""

from django.http import JsonResponse

from agnost_django import agnost


def announce(request):
    result = agnost.realtime.send(request.GET["channel"], "announcement", {"text": request.GET["text"]})
    return JsonResponse(result.to_dict())


def shout(text: str) -> None:
    """A django-q2 task function, as a queue handler would be."""
    agnost.realtime.broadcast("shout", text).unwrap()
