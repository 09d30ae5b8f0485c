"""Ledger settings: the shared service settings plus the overdue sweep."""

from __future__ import annotations

from pydantic import Field, field_validator

from goodfaith_runtime.settings import ServiceSettings
from ledger.domain.milestones import DEFAULT_MILESTONES, validate_milestones


class LedgerSettings(ServiceSettings):
    milestone_days: tuple[int, ...] = Field(
        DEFAULT_MILESTONES, description="Days past due at which InvoiceOverdue is emitted"
    )
    sweep_enabled: bool = True
    sweep_interval_seconds: float = Field(60.0, gt=0)
    sweep_batch_size: int = Field(500, ge=1, le=10_000)
    # Concurrent sweep transactions inside one process; SKIP LOCKED keeps them disjoint.
    sweep_workers: int = Field(2, ge=1, le=16)

    @field_validator("milestone_days")
    @classmethod
    def _valid_milestones(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return validate_milestones(value)
