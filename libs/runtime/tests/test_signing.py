from datetime import UTC, datetime, timedelta

import pytest

from goodfaith_events.contracts import ContactApproved
from goodfaith_runtime.signing import (
    DEV_SIGNING_KEY,
    SignatureError,
    key_id,
    load_private_key,
    load_public_key,
    public_key_text,
    sign_approval,
    verify_approval,
)

NOW = datetime(2026, 11, 26, 15, tzinfo=UTC)
HASH = "a" * 64


def approval(**changes) -> ContactApproved:
    private = load_private_key(DEV_SIGNING_KEY)
    expires = NOW + timedelta(minutes=15)
    fields = dict(request_id="r1", person_id="p1", channel="sms", endpoint="+14155550100",
                  content_hash=HASH, expires_at=expires)
    signature = sign_approval(private, **fields)
    body = dict(fields, decision_id="d1", approval_id="a1", pack_version="2026.11.1",
                key_id=key_id(public_key_text(private)), signature=signature)
    body.update(changes)
    return ContactApproved(**body)


def public():
    return load_public_key(public_key_text(load_private_key(DEV_SIGNING_KEY)))


def test_a_genuine_approval_verifies() -> None:
    verify_approval(approval(), public(), now=NOW, endpoint="+14155550100", content_hash=HASH)


@pytest.mark.parametrize(("changes", "now", "reason"), [
    ({"endpoint": "+14155550199"}, NOW, "not valid"),
    ({"content_hash": "b" * 64}, NOW, "not valid"),
    ({"expires_at": NOW + timedelta(hours=5)}, NOW, "not valid"),
    ({}, NOW + timedelta(minutes=15), "expired"),
])
def test_a_changed_or_expired_approval_is_refused(changes, now, reason) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_approval(approval(**changes), public(), now=now)


def test_an_approval_for_other_content_is_refused_at_dispatch() -> None:
    with pytest.raises(SignatureError, match="other content"):
        verify_approval(approval(), public(), now=NOW, content_hash="c" * 64)
