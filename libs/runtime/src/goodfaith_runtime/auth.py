"""Bearer tokens: JWTs carrying a subject, a tenant (the creditor) and scopes.

Every endpoint but health and webhooks depends on `require(scope)`; the tenant in the token is
the only tenant the request may see.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from goodfaith_events.envelope import is_valid_tenant
from goodfaith_runtime.clock import Clock, SystemClock
from goodfaith_runtime.problems import Problem


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    scopes: frozenset[str]


class TokenVerifier:
    def __init__(self, key: str, *, algorithms: list[str], audience: str, issuer: str) -> None:
        self._key = key
        self._algorithms = algorithms
        self._audience = audience
        self._issuer = issuer

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._key, algorithms=self._algorithms, audience=self._audience,
                issuer=self._issuer, options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise Problem(401, "Invalid token", str(exc), type_="invalid-token") from exc
        tenant = claims.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise Problem(401, "Invalid token", "the token names no tenant", type_="invalid-token")
        # Every event the request writes carries the tenant in its envelope: one the envelope
        # cannot carry would be stored and then never published.
        if not is_valid_tenant(tenant):
            raise Problem(401, "Invalid token", "the token's tenant is not a valid tenant id",
                          type_="invalid-token")
        scope = claims.get("scope", "")
        return Principal(claims["sub"], tenant, frozenset(str(scope).split()))


def mint_token(
    key: str, *, subject: str, tenant: str, scopes: list[str], audience: str = "goodfaith",
    issuer: str = "goodfaith-dev", ttl: timedelta = timedelta(hours=12),
    clock: Clock | None = None, algorithm: str = "HS256",
) -> str:
    now = (clock or SystemClock()).now()
    claims = {"sub": subject, "tenant": tenant, "scope": " ".join(scopes), "aud": audience,
              "iss": issuer, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, key, algorithm=algorithm)


_bearer = HTTPBearer(auto_error=False)


def require(scope: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A FastAPI dependency: a valid token with `scope`, or a 401/403 problem."""

    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Principal:
        if credentials is None:
            raise Problem(401, "Missing token", "send Authorization: Bearer <token>",
                          type_="missing-token")
        verifier: TokenVerifier = request.app.state.token_verifier
        principal = verifier.verify(credentials.credentials)
        if scope not in principal.scopes:
            raise Problem(403, "Insufficient scope", f"this call needs the scope {scope!r}",
                          type_="insufficient-scope")
        return principal

    return dependency
