"""Signals of the data module, sent after the transaction of the change commits.

Every signal is sent with ``sender=<model class>`` and ``resource`` (the exposed model's
Resource) and ``user`` (the caller, or ``None``).
"""

from django.dispatch import Signal

# objects: the created model instances
object_created = Signal()

# ids: primary keys of the updated objects
object_updated = Signal()

# ids: primary keys of the deleted objects
object_deleted = Signal()
