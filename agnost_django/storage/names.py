"""Validation and normalisation of bucket names, file names and tags.

Names never reach the storage backend (bytes are kept under random keys), so these rules
are about clarity and safety for the people and programs that read names: no control
characters, no ``.``/``..`` segments, no absolute or backslash paths, NFC Unicode.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from agnost_django.storage.exceptions import InvalidBucketName, InvalidFilePath, InvalidTags

MAX_BUCKET_NAME = 128
MAX_FILE_NAME = 1024
MAX_SEGMENT = 255
MAX_TAGS = 64
MAX_TAG_LENGTH = 128

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def clean_bucket_name(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidBucketName("The bucket name must be a string.", details={"value": value})
    name = unicodedata.normalize("NFC", value.strip())
    problem = None
    if not name:
        problem = "The bucket name is empty."
    elif len(name) > MAX_BUCKET_NAME:
        problem = f"The bucket name is longer than {MAX_BUCKET_NAME} characters."
    elif _CONTROL.search(name):
        problem = "The bucket name contains control characters."
    elif "/" in name or "\\" in name:
        problem = "The bucket name cannot contain '/' or '\\'."
    elif name in (".", ".."):
        problem = "The bucket name cannot be '.' or '..'."
    elif _is_uuid(name):
        problem = "The bucket name cannot look like a bucket id."
    if problem:
        raise InvalidBucketName(problem, details={"value": value})
    return name


def clean_file_name(value: Any) -> str:
    """A file name may be a path (``avatars/2024/me.png``): leading and trailing slashes
    and surrounding spaces are dropped; empty, ``.`` and ``..`` segments are refused."""
    if not isinstance(value, str):
        raise InvalidFilePath("The file name must be a string.", details={"value": value})
    name = unicodedata.normalize("NFC", value.strip()).strip("/")
    problem = None
    if not name:
        problem = "The file name is empty."
    elif len(name) > MAX_FILE_NAME:
        problem = f"The file name is longer than {MAX_FILE_NAME} characters."
    elif _CONTROL.search(name):
        problem = "The file name contains control characters."
    elif "\\" in name:
        problem = "The file name cannot contain '\\'."
    elif re.match(r"^[A-Za-z]:", name):
        problem = "The file name cannot be a drive path."
    elif _is_uuid(name):
        problem = "The file name cannot look like a file id."
    else:
        for segment in name.split("/"):
            if segment.strip() in ("", ".", ".."):
                problem = "The file name cannot have empty, '.' or '..' path segments."
                break
            if len(segment) > MAX_SEGMENT:
                problem = f"A part of the file name is longer than {MAX_SEGMENT} characters."
                break
    if problem:
        raise InvalidFilePath(problem, details={"value": value})
    return name


def numbered_name(name: str, number: int) -> str:
    """``photo.png`` -> ``photo (2).png``; ``a/b.tar.gz`` -> ``a/b (2).tar.gz``."""
    folder, _sep, base = name.rpartition("/")
    stem, dot, ext = base.partition(".")
    if not stem:  # ".env" is all name, no extension
        stem, dot, ext = base, "", ""
    numbered = f"{stem} ({number}){dot}{ext}"
    return f"{folder}/{numbered}" if folder else numbered


def clean_tags(value: Any) -> list[str]:
    """Tags as the client sends them: one string or a list of strings."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidTags(details={"value": value})
    tags: list[str] = []
    for tag in value:
        tag = unicodedata.normalize("NFC", tag.strip())
        if not tag or len(tag) > MAX_TAG_LENGTH or _CONTROL.search(tag):
            raise InvalidTags(f"A tag must be 1 to {MAX_TAG_LENGTH} printable characters.",
                              details={"value": tag})
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidTags(f"At most {MAX_TAGS} tags.", details={"count": len(tags)})
    return tags


def merge_tags(current: list[str], added: list[str]) -> list[str]:
    merged = list(current) + [tag for tag in added if tag not in current]
    if len(merged) > MAX_TAGS:
        raise InvalidTags(f"At most {MAX_TAGS} tags.", details={"count": len(merged)})
    return merged


def with_tags(current: list[str], value: Any) -> list[str]:
    """``current`` and the tags the client sent (``addTags``), in order, each once."""
    return merge_tags(current, clean_tags(value))


def without_tags(current: list[str], value: Any) -> list[str]:
    """``current`` less the tags the client sent (``removeTags``)."""
    removed = set(clean_tags(value))
    return [tag for tag in current if tag not in removed]
