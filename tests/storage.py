"""The test run's file storage: in memory, and like the filesystem storage it stands in for, every `open` is a
reader of its own.

Django's InMemoryStorage hands every `open` of a name the same file object (its node), so two readers share
one position: a second request for a photo or an attachment, answered while the first was being sent, read
what the first left (nothing) under a Content-Length of the whole file, and the browser waited for the rest
(tests/messaging/test_pages_browser.py, when both participants loaded the image at once). The filesystem
storage of development and production opens a new handle each time; this one does what it does."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import InMemoryStorage


class ReaderPerOpenInMemoryStorage(InMemoryStorage):
    def open(self, name: str, mode: str = "rb") -> File[Any]:
        node = super().open(name, mode)
        if any(flag in mode for flag in "wa+"):
            return node  # writing goes to the stored node itself
        return ContentFile(node.read(), name=name)  # the stored node was opened at its start
