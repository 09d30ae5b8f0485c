"""Names of the events compliance stores in a person's stream.

Private events stay in this service; only ContactApproved and ContactBlocked (public contracts,
libs/events) are published. Personal values travel in the `sealed` field of a payload, encrypted
under the person's key (crypto-shredding).
"""

from __future__ import annotations

PRODUCER = "compliance"

PROFILE_RECORDED = "compliance.ProfileRecorded"
FACT_RECORDED = "compliance.FactRecorded"
DECISION_RECORDED = "compliance.DecisionRecorded"
ATTEMPT_RECORDED = "compliance.ContactAttemptRecorded"
VIOLATION_RECORDED = "compliance.ContactViolationRecorded"
CONTACT_APPROVED = "compliance.ContactApproved"
CONTACT_BLOCKED = "compliance.ContactBlocked"
# The person's key was destroyed because the ledger erased them (ledger.DebtorErased): the
# record of why their personal fields now read back as "[erased]". No personal data.
PERSON_ERASED = "compliance.PersonErased"
# Written to a household member's stream by an approval decided with their record in view: it
# moves their stream, so a concurrent decision that saw the old one conflicts and decides again
# (decisions.md D-55). No personal data: two person ids and a decision id.
HOUSEHOLD_DECISION_NOTED = "compliance.HouseholdDecisionNoted"


def _escaped(tenant: str) -> str:
    # Person ids cannot hold '/', and the tenant's own '/' are escaped: two (tenant, person)
    # pairs can never share a stream or a key.
    return tenant.replace("%", "%25").replace("/", "%2F")


def person_stream(tenant: str, person_id: str) -> str:
    return f"compliance-person/{_escaped(tenant)}/{person_id}"


def key_owner(tenant: str, person_id: str) -> str:
    """The keyring's owner id: per tenant, so the same person id in two tenants has two keys."""
    return f"{_escaped(tenant)}/{person_id}"
