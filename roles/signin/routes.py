"""Signing in through the municipality's provider, and the second factor (views)."""

from __future__ import annotations

import requests
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from extensions import limiter
from roles import audit
from roles.access import login_only, public
from roles.models import User
from roles.signin import devices, flow, oidc, rules, sessions, totp
from roles.signin.forms import CodeForm, ConfirmForm, EnrolForm

bp = Blueprint("signin", __name__, cli_group="sign-in")
NEXT_KEY = "signin_next"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _refusal_message(outcome: totp.Outcome) -> str:
    """Say why a code was not accepted, in the person's language."""
    if outcome.check is totp.Check.LOCKED or outcome.locked_until:
        return _("Too many wrong attempts. Try again after %(time)s.", time=format_datetime(outcome.locked_until, "short"))
    if outcome.check is totp.Check.REUSED:
        return _("That code has been used already. Wait for the next code in the app and type that.")
    return _("That code is not right. Type the newest code from the app, or one of your recovery codes.")


# --- through the municipality's provider -------------------------------------------------


@bp.route("/signin/oidc")
@public
@limiter.limit(_login_limit)
def oidc_start():
    """Send the person to the municipality's sign-in."""
    if not oidc.configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("meetings.dashboard"))
    session[NEXT_KEY] = sessions.safe_next(request.args.get("next"))
    try:
        return oidc.redirect_to_provider(flow.external_url("signin.oidc_callback"))
    except oidc.SignInFailed as failure:  # its discovery document is about another issuer
        audit.record("sso.login.failed", purpose="login", detail=f"start: {failure.reason}"[:200])
        return render_template("signin/sso_failed.html", unreachable=False), 502
    except (requests.RequestException, ValueError, RuntimeError) as error:  # unreachable, or no usable metadata
        audit.record("sso.login.failed", purpose="login", detail=f"start: {type(error).__name__}"[:200])
        return render_template("signin/sso_failed.html", unreachable=True), 502


@bp.route("/signin/oidc/callback")
@public
@limiter.limit(_login_limit)
def oidc_callback():
    """Check the provider's answer and log the person in."""
    if not oidc.configured():
        abort(404)
    try:
        result = oidc.finish_sign_in()
    except oidc.SignInFailed as failure:
        audit.record("sso.login.failed", purpose="login", detail=failure.reason)
        return render_template("signin/sso_failed.html", unreachable=failure.reason.startswith("provider unreachable")), 400
    if result.user is None:
        return render_template("signin/refused.html", result=result, Refusal=oidc.Refusal), 403
    next_path = session.get(NEXT_KEY)
    sessions.start_session(result.user, sso=oidc.session_marker(result))
    if result.created:
        flash(_("Welcome. Your account was made now; you see a course when a coordinator gives you a role in it."), "info")
    return redirect(sessions.safe_next(next_path))


# --- the second factor, half logged in ---------------------------------------------------


@bp.route("/signin/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def code():
    """Ask someone whose password was right for a code from their authenticator (or a recovery code)."""
    waiting = sessions.pending()
    if waiting is None:
        flash(_("Log in again: the time for the code ran out."), "info")
        return redirect(url_for("roles.login"))
    if waiting.enrol:
        return redirect(url_for("signin.setup"))
    form = CodeForm()
    days = current_app.config["REMEMBER_DEVICE_DAYS"]
    form.remember.label.text = _("Remember this device for %(days)d days (only on a device that only you use)", days=days)
    outcome = None
    if form.validate_on_submit():
        outcome = totp.verify(waiting.user, form.code.data)
        if outcome.check is totp.Check.OK:
            device = devices.remember_device(waiting.user) if form.remember.data else None
            sessions.start_session(waiting.user)
            if outcome.recovery_left is not None:
                flash(_("You used a recovery code. You have %(left)d left; make new ones under Second factor.", left=outcome.recovery_left), "info")
            response = redirect(waiting.next)
            if device:
                token, max_age = device
                response.set_cookie(
                    devices.DEVICE_COOKIE, token, max_age=max_age, httponly=True, samesite="Lax",
                    secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                )
            return response
        form.code.errors.append(_refusal_message(outcome))
    locked = outcome is not None and outcome.check is totp.Check.LOCKED
    return render_template("signin/code.html", form=form), (429 if locked else 400 if form.errors else 200)


@bp.route("/signin/setup", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def setup():
    """Set up an authenticator before the first login, when the administrator requires one."""
    waiting = sessions.pending()
    if waiting is None or not waiting.enrol:
        flash(_("Log in again: the time for the code ran out."), "info")
        return redirect(url_for("roles.login"))
    return _enrolment(waiting.user, url_for("signin.setup"), then=waiting.next, log_in=True)


def _enrolment(user: User, action: str, *, then: str, log_in: bool):
    """Show the QR code and secret; on a right code, confirm it and show the recovery codes once."""
    form = EnrolForm()
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(user, form.code.data.strip().replace(" ", ""))
        if codes is not None:
            if log_in:
                sessions.start_session(user)
            # Shown in this answer only: never stored in clear, never in a cookie.
            return render_template("signin/recovery_codes.html", codes=codes, then=then)
        form.code.errors.append(_("That code is not right. Check that the phone's clock is right, and type the newest code."))
    secret = totp.start_enrolment(user)
    qr = totp.qr_svg(totp.provisioning_uri(user, secret), _("QR code to scan with your authenticator app"))
    return render_template("signin/enrol.html", form=form, qr=qr, secret=totp.grouped(secret), action=action), (400 if form.errors else 200)


# --- one's own second factor, logged in --------------------------------------------------


def _me() -> User:
    return current_user._get_current_object()


def _status_page(*, renew: ConfirmForm | None = None, off: ConfirmForm | None = None, status: int = 200):
    me = _me()
    return render_template(
        "signin/second_factor.html",
        enrolled=totp.is_enrolled(me),
        codes_left=totp.recovery_codes_left(me),
        devices=devices.remembered_devices(me),
        may_turn_off=rules.may_turn_off(me),
        password_account=me.password_hash != rules.NO_PASSWORD,
        renew=renew or ConfirmForm(prefix="renew"),
        off=off or ConfirmForm(prefix="off"),
    ), status


@bp.route("/signin/second-factor")
@login_only
def second_factor():
    """Show one's own second factor: set up or not, recovery codes left, remembered devices."""
    return _status_page()


@bp.route("/signin/second-factor/enrol", methods=["GET", "POST"])
@login_only
def enrol():
    """Set up an authenticator app for one's own password logins."""
    if totp.is_enrolled(_me()):
        return redirect(url_for("signin.second_factor"))
    return _enrolment(_me(), url_for("signin.enrol"), then=url_for("signin.second_factor"), log_in=False)


@bp.route("/signin/second-factor/recovery-codes", methods=["POST"])
@login_only
def renew_recovery_codes():
    """Replace one's recovery codes, after a fresh code from the app."""
    form = ConfirmForm(prefix="renew")
    if form.validate_on_submit():
        result = totp.new_recovery_codes(_me(), form.code.data)
        if isinstance(result, list):
            return render_template("signin/recovery_codes.html", codes=result, then=url_for("signin.second_factor"))
        form.code.errors.append(_refusal_message(result))
    return _status_page(renew=form, status=400)


@bp.route("/signin/second-factor/off", methods=["POST"])
@login_only
def turn_off():
    """Remove one's own second factor, after a fresh code (not while the administrator requires it)."""
    form = ConfirmForm(prefix="off")
    if not rules.may_turn_off(_me()):
        flash(_("The administrator requires a second factor for everyone; it cannot be turned off."), "error")
        return redirect(url_for("signin.second_factor"))
    if form.validate_on_submit():
        outcome = totp.verify(_me(), form.code.data, allow_recovery=False)
        if outcome.check is totp.Check.OK:
            rules.turn_off(_me())
            flash(_("The second factor is turned off."), "success")
            return redirect(url_for("signin.second_factor"))
        form.code.errors.append(_refusal_message(outcome))
    return _status_page(off=form, status=400)


@bp.route("/signin/second-factor/forget-devices", methods=["POST"])
@login_only
def forget_devices():
    """Forget every device where one chose to skip the second factor."""
    devices.forget_devices(_me())
    flash(_("No device is remembered now. Every login asks for a code again."), "success")
    response = redirect(url_for("signin.second_factor"))
    response.delete_cookie(devices.DEVICE_COOKIE)
    return response
