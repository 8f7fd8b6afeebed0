"""Signals of agnost core."""

from django.dispatch import Signal

# Sent by the worker that found them, once per death, with sender=Worker.
# kwargs: workers (list of "host:pid" ids of dead worker processes),
#         clusters (list of "host:pid" ids of clusters none of whose workers is alive)
workers_lost = Signal()
