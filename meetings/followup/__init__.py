"""Between meetings: the dashboard, the follow-up log, convening, ending a course."""
