"""Errors of the compliance domain (one base class for the service)."""

from __future__ import annotations


class ComplianceError(Exception):
    """Base class for every error the compliance service raises on purpose."""


class UnknownPackVersion(ComplianceError):
    def __init__(self, version: str, known: tuple[str, ...]) -> None:
        super().__init__(
            f"unknown rule pack version {version!r}; known versions: {', '.join(known) or 'none'}"
        )
        self.version = version
        self.known = known


class PackVersionConflict(ComplianceError):
    """A released version may never be redefined: recorded decisions replay against it."""
