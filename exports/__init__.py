"""Pure builders of what leaves Rundbord: the citizen summary, invitations, data exports."""
