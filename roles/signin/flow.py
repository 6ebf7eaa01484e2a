"""What the login and logout views of `roles` ask of sign-in: the next step, the page's options, the provider's logout."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, redirect, request, session, url_for
from flask.wrappers import Response

from roles.models import User
from roles.signin import devices, oidc, rules, sessions

#: Set at logout (after the session is cleared) and shown once on the login page.
PROVIDER_LOGOUT_KEY = "provider_logout"


def continue_login(user: User, next_path: str) -> Response:
    """After a right password: log in, or go on to the second factor (the half-logged-in step)."""
    step = rules.next_step_after_password(user, request.cookies.get(devices.DEVICE_COOKIE))
    if step is rules.NextStep.IN:
        sessions.start_session(user)
        return redirect(next_path)
    sessions.begin_pending(user, next_path, enrol=step is rules.NextStep.ENROL)
    return redirect(url_for("signin.setup" if step is rules.NextStep.ENROL else "signin.code"))


@dataclass(frozen=True)
class LoginOptions:
    password_login: bool
    #: The button's words, e.g. "Log in with Aarhus Kommune"; None without a provider.
    sso_name: str | None
    sso_url: str | None
    #: After the logout of an SSO session: the provider's end-session URL, offered once.
    provider_logout: str | None


def login_options(next_path: str | None) -> LoginOptions:
    """Return what the login page offers (and take the one-time provider logout link from the session)."""
    sso = oidc.configured()
    return LoginOptions(
        password_login=rules.password_login_allowed(),
        sso_name=current_app.config["OIDC_PROVIDER_NAME"] if sso else None,
        sso_url=url_for("signin.oidc_start", next=next_path or None) if sso else None,
        provider_logout=session.pop(PROVIDER_LOGOUT_KEY, None),
    )


def provider_logout_url() -> str | None:
    """Return the provider's end-session URL if this session came through it (call before clearing the session)."""
    return oidc.logout_url(external_url("roles.login"))


def external_url(endpoint: str) -> str:
    """Return this app's absolute URL for an endpoint, https when the deployment says so (behind a TLS proxy)."""
    scheme = "https" if current_app.config.get("PREFERRED_URL_SCHEME") == "https" else request.scheme
    return url_for(endpoint, _external=True, _scheme=scheme)
