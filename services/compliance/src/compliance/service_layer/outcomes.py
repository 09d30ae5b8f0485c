"""What a reported attempt's outcome says about the person (decisions.md D-42).

The facts are the ones the facts API would record for the same news, appended with the attempt
that reported it (handlers.record_attempt), so the next decision reads them like any other:

- `opted_out`: the person asked us to stop using the attempt's medium, a `medium_optout` from
  the attempt's instant (FED-MEDIUM-OPTOUT, 1006.14(h)); the whole medium, not only this
  address or number, since the request did not say less.
- `wrong_party`: the endpoint reached someone other than the person, an `rpc_state` of
  `failed` for that endpoint (FED-3P, 1692c(b)); for the person as a whole when the attempt's
  endpoint is not one the profile knows (fail closed, reference section 0).
"""

from __future__ import annotations

from datetime import datetime

from compliance.domain.context import CHANNEL_MEDIUM, Channel, RpcState
from compliance.service_layer.facts import Fact, MediumOptOutFact, RpcStateFact
from goodfaith_events.contracts import AttemptOutcome, ContactAttempted


def facts_of(
    attempt: ContactAttempted, endpoint_id: str | None, now: datetime,
) -> list[Fact]:
    """The facts the attempt's outcome establishes; `endpoint_id` is the profile's id of the
    endpoint the attempt went to, as its history entry records it. In force from the attempt,
    or from `now` (when it was recorded) if the reporter's clock is ahead of ours: news we
    have is never held back for a later instant."""
    at = min(attempt.attempted_at, now)
    if attempt.outcome is AttemptOutcome.OPTED_OUT:
        medium = CHANNEL_MEDIUM[Channel(attempt.channel.value)]
        return [MediumOptOutFact(fact="medium_optout", medium=medium, requested_at=at)]
    if attempt.outcome is AttemptOutcome.WRONG_PARTY:
        return [RpcStateFact(fact="rpc_state", rpc=RpcState.FAILED, noted_at=at,
                             endpoint_id=endpoint_id, source_contact_id=attempt.attempt_id)]
    return []
