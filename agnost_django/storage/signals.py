"""Signals of the storage module, each sent with ``sender=<model class>``."""

from django.dispatch import Signal

# bucket: the new Bucket; user: the caller or None
bucket_created = Signal()

# bucket: the deleted Bucket (its files are gone too); user: the caller or None
bucket_deleted = Signal()

# file: the new StoredFile; user: the caller or None. Sent after the transaction commits.
file_uploaded = Signal()
