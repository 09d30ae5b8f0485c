"""Identifiers: UUIDv7 everywhere, so ids sort by creation time (architecture: conventions)."""

from __future__ import annotations

import uuid

import uuid_utils.compat as uuid_compat


def new_id() -> uuid.UUID:
    """A new UUIDv7 as a standard-library UUID."""
    return uuid_compat.uuid7()
