"""The administrator's sign-in page: require a second factor, let sign-in create accounts, reset a lost factor."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from roles.access import requires_staff
from roles.permissions import StaffAction
from roles.signin import oidc, rules
from roles.signin.forms import PolicyForm, ResetForm
from roles.signin.routes import bp


def _page(form: PolicyForm | None = None, status: int = 200):
    current = rules.policy()
    form = form or PolicyForm(data={"require_second_factor": current.require_second_factor, "sso_creates_accounts": current.sso_creates_accounts})
    return render_template(
        "signin/admin.html",
        form=form,
        reset_form=ResetForm(),
        staff=rules.staff_second_factors(),
        sso=oidc.configured(),
        password_login=rules.password_login_allowed(),
        provider=current_app.config["OIDC_PROVIDER_NAME"],
    ), status


@bp.route("/signin/admin")
@requires_staff(StaffAction.ADMINISTER_STAFF)
def admin():
    """Show the sign-in settings and everyone's second factor."""
    return _page()


@bp.route("/signin/admin/policy", methods=["POST"])
@requires_staff(StaffAction.ADMINISTER_STAFF)
def admin_policy():
    """Change who must use a second factor and whether sign-in may create accounts."""
    form = PolicyForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    rules.set_policy(
        require_second_factor=form.require_second_factor.data,
        sso_creates_accounts=form.sso_creates_accounts.data,
        by=current_user._get_current_object(),
    )
    flash(_("The sign-in settings are saved."), "success")
    return redirect(url_for("signin.admin"))


@bp.route("/signin/admin/reset", methods=["POST"])
@requires_staff(StaffAction.ADMINISTER_STAFF)
def admin_reset():
    """Remove a person's lost second factor so that they can set up a new one."""
    form = ResetForm()
    user = rules.user_by_id(form.user_id.data) if form.validate_on_submit() else None
    if user is None:
        flash(_("That person was not found. Nothing was changed."), "error")
        return redirect(url_for("signin.admin"))
    rules.reset_second_factor(user, by=current_user._get_current_object())
    flash(_("The second factor of %(name)s is removed, with their recovery codes and remembered devices.", name=user.display_name), "success")
    return redirect(url_for("signin.admin"))
