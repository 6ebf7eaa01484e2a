"""Signing in through the municipality's OpenID Provider: authorization code flow with PKCE (Authlib).

What is checked, and where:
- state (CSRF) and the PKCE verifier: Authlib, from the state kept in this browser's session;
- the ID token's signature against the provider's published keys, its issuer, audience
  (our client id), expiry and nonce: Authlib, with the claim options given here — Authlib's
  own defaults check only the issuer and lean on `azp` for the audience, so we name both;
- RFC 9207: if the provider names itself in the answer (`iss`), it must be our provider;
- the account: the configured username claim finds it; after the first sign-in the
  provider's issuer + subject are bound to it, and only that subject signs in to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import current_app, request, session
from joserfc.errors import JoseError

from extensions import db
from kernel.clock import utcnow
from roles import audit
from roles.models import User
from roles.signin import rules
from roles.signin.models import SsoIdentity

NAME = "municipality"
#: Seconds of clock difference tolerated on the ID token's times.
LEEWAY = 60


class SignInFailed(Exception):
    """The provider's answer could not be trusted or used; `reason` goes in the audit log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:200]


class Refusal(Enum):
    UNKNOWN = "unknown"  # no account with that username, and sign-in may not create one
    INACTIVE = "inactive"  # the account is switched off
    OTHER_PERSON = "other_person"  # the account is bound to another subject at the provider
    NO_USERNAME = "no_username"  # the configured claim is missing or too long


@dataclass(frozen=True)
class SsoResult:
    user: User | None
    username: str = ""
    refusal: Refusal | None = None
    created: bool = False
    id_token: str = ""


def configured() -> bool:
    """Return whether an OpenID Provider is set up (RUNDBORD_OIDC_ISSUER)."""
    return bool(current_app.config.get("OIDC_ISSUER"))


def client():
    """Return this app's Authlib client, registered from its configuration on first use."""
    app = current_app._get_current_object()
    found = app.extensions.get("rundbord_oidc")
    if found is None:
        c = app.config
        oauth = OAuth(app)
        found = oauth.register(
            NAME,
            # The environment is read as JSON: a numeric id would arrive as a number.
            client_id=str(c["OIDC_CLIENT_ID"]),
            client_secret=str(c["OIDC_CLIENT_SECRET"]),
            server_metadata_url=c["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": c["OIDC_SCOPES"], "code_challenge_method": "S256", "default_timeout": 10},
        )
        app.extensions["rundbord_oidc"] = found
    return found


def _metadata() -> dict:
    """Return the provider's discovery document, checked to be about the configured issuer."""
    metadata = client().load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != current_app.config["OIDC_ISSUER"].rstrip("/"):
        raise SignInFailed("discovery document names another issuer")
    return metadata


def redirect_to_provider(redirect_uri: str):
    """Start the authorization code flow: a redirect to the provider with state, nonce and PKCE."""
    # One flow at a time per browser: older unfinished ones would only grow the cookie.
    for key in [k for k in session if k.startswith(f"_state_{NAME}_")]:
        session.pop(key)
    _metadata()
    return client().authorize_redirect(redirect_uri)


def finish_sign_in() -> SsoResult:
    """Check the provider's answer on the callback and find (or, if allowed, create) the account."""
    try:
        metadata = _metadata()
        issuer = metadata["issuer"]
        answered_by = request.args.get("iss")
        if answered_by is not None and answered_by != issuer:
            raise SignInFailed("the answer came from another issuer")
        oidc = client()
        token = oidc.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": str(current_app.config["OIDC_CLIENT_ID"])},
                "sub": {"essential": True},
            },
            leeway=LEEWAY,
        )
        claims = token.get("userinfo")
        if not claims or "id_token" not in token:
            raise SignInFailed("no ID token in the answer")
        username, display_name = _username(oidc, token, claims, metadata)
    except OAuthError as error:
        raise SignInFailed(f"oauth: {error.error}") from error
    except JoseError as error:
        raise SignInFailed(f"id token: {error}") from error
    except requests.RequestException as error:
        raise SignInFailed(f"provider unreachable: {type(error).__name__}") from error
    return match_account(issuer, claims["sub"], username, display_name, token["id_token"])


def _username(oidc, token: dict, claims: dict, metadata: dict) -> tuple[str, str]:
    """Return the username and display name: from the ID token, else from the userinfo endpoint."""
    claim = current_app.config["OIDC_USERNAME_CLAIM"]
    username, name = claims.get(claim), claims.get("name")
    if not username and metadata.get("userinfo_endpoint"):
        info = oidc.userinfo(token=token)
        # OIDC Core 5.3.2: userinfo about someone else must not be used.
        if info.get("sub") != claims["sub"]:
            raise SignInFailed("userinfo is about another subject")
        username, name = info.get(claim), name or info.get("name")
    return (str(username) if username else ""), (str(name) if name else "")


def match_account(issuer: str, subject: str, username: str, display_name: str, id_token: str = "") -> SsoResult:
    """Find the staff account for a verified person at the provider; bind or create it as the rules say."""
    username = username.strip().lower()
    identity = db.session.scalar(db.select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject))
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        if not username or len(username) > 80:
            return _refused(username, Refusal.NO_USERNAME)
        user = rules.user_by_username(username)
        if user is None:
            if not rules.policy().sso_creates_accounts:
                return _refused(username, Refusal.UNKNOWN)
            return _created(issuer, subject, username, display_name, id_token)
        bound = db.session.scalar(db.select(SsoIdentity.id).where(SsoIdentity.user_id == user.id))
        if bound is not None:
            return _refused(username, Refusal.OTHER_PERSON, user)
        identity = SsoIdentity(user_id=user.id, issuer=issuer, subject=subject)
        db.session.add(identity)
    if not user.active:
        return _refused(username, Refusal.INACTIVE, user)
    identity.last_login_at = utcnow()
    audit.record("sso.login.ok", purpose="login", user_id=user.id)
    return SsoResult(user, username=user.username, id_token=id_token)


def _created(issuer: str, subject: str, username: str, display_name: str, id_token: str) -> SsoResult:
    user = User(username=username, display_name=(display_name or username)[:200], password_hash=rules.NO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    db.session.add(SsoIdentity(user_id=user.id, issuer=issuer, subject=subject, last_login_at=utcnow()))
    audit.record("sso.account_created", purpose="login", user_id=user.id, detail=username)
    audit.record("sso.login.ok", purpose="login", user_id=user.id)
    return SsoResult(user, username=username, created=True, id_token=id_token)


def _refused(username: str, refusal: Refusal, user: User | None = None) -> SsoResult:
    db.session.rollback()
    audit.record(f"sso.login.refused_{refusal.value}", purpose="login", user_id=user.id if user else None, detail=username[:200] or None)
    return SsoResult(None, username=username, refusal=refusal)


#: Longer ID tokens are not kept for the logout hint: the session cookie must stay under 4 KB.
MAX_KEPT_ID_TOKEN = 2000


def session_marker(result: SsoResult) -> dict:
    """Return what the session keeps of an SSO login: the ID token as the logout hint, if it is small."""
    return {"id_token": result.id_token if len(result.id_token) <= MAX_KEPT_ID_TOKEN else ""}


def forget_identity(user: User) -> bool:
    """Unbind the provider's subject from an account (the person got a new account at the provider)."""
    result = db.session.execute(db.delete(SsoIdentity).where(SsoIdentity.user_id == user.id))
    audit.record("sso.identity_forgotten", purpose="administration", object_type="user", object_id=user.id, detail=user.username)
    return bool(result.rowcount)


def logout_url(post_logout_redirect_uri: str) -> str | None:
    """Return the provider's end-session URL for this SSO session, or None (not SSO, or the provider has none)."""
    sso = session.get("sso")
    if not sso or not configured():
        return None
    try:
        if not _metadata().get("end_session_endpoint"):
            return None
        return client().create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=sso.get("id_token") or None,
            client_id=str(current_app.config["OIDC_CLIENT_ID"]),
        )["url"]
    except (SignInFailed, requests.RequestException, RuntimeError):
        # Rundbord's own logout must never depend on the provider being reachable.
        return None
