"""Generate a realistic municipality's worth of fictional data, fast (bulk inserts, explicit ids).

Full size: 2,000 citizens and courses, 20,000 meetings, 200,000 notes, 60,000 agreements
with reviews, 300 staff. `scale=0.1` makes one tenth of everything.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert

from extensions import db
from kernel.clock import utcnow
from meetings.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Citizen,
    Closeness,
    Course,
    Language,
    Meeting,
    MeetingKind,
    MemberKind,
    NetworkMember,
    Note,
    NoteKind,
    Phase,
    ReviewOutcome,
)
from roles.models import Role, RoleAssignment, User
from roles.services import hash_password

FIRST = ["Maja", "Karim", "Sofie", "Mads", "Aisha", "Jonas", "Freja", "Emil", "Ida", "Noah", "Laura", "Oliver"]
RELATIONS = ["mor", "far", "søster", "bror", "ven", "nabo"]
PROFESSIONS = [("bostøttemedarbejder", "Bostøtten"), ("sagsbehandler", "Jobcenteret"), ("sygeplejerske", "Distriktspsykiatrien")]
SAYINGS = [
    "Jeg har haft det lidt bedre de sidste uger, men nætterne er stadig svære.",
    "Det hjælper, når nogen går med mig til møderne.",
    "Jeg vil gerne prøve en praktik, hvis det ikke bliver for meget på én gang.",
    "Hun har selv ringet til lægen, og det var første gang i lang tid.",
    "Vi kan hjælpe med transporten om tirsdagen.",
]
PASSWORD = "bench-password"


@dataclass(frozen=True)
class Generated:
    citizens: int
    meetings: int
    notes: int
    agreements: int
    staff: int
    #: (username, course ids where tovholder) for a few staff, for the benchmark to log in as.
    sample_staff: list[str]
    open_meeting_ids: list[int]
    closed_meeting_ids: list[int]
    course_ids: list[int]


def generate(scale: float = 1.0, seed: int = 7, meetings_per_course: int = 10, notes_per_meeting: int = 10) -> Generated:
    """Fill an empty database; return what was made."""
    rnd = random.Random(seed)
    n_courses = max(1, round(2000 * scale))
    n_staff = max(3, round(300 * scale))
    now = utcnow()
    password_hash = hash_password(PASSWORD)

    users = [
        {"id": i + 1, "username": f"staff{i + 1}", "display_name": f"Medarbejder {i + 1}", "password_hash": password_hash,
         "session_version": 1, "active": True, "failed_logins": 0, "created_at": now}
        for i in range(n_staff)
    ]
    citizens, courses, members, roles = [], [], [], []
    meetings, attendance, notes, agreements, reviews = [], [], [], [], []
    member_id = meeting_id = note_id = agreement_id = review_id = role_id = 0
    open_meetings, closed_meetings = [], []

    for c in range(1, n_courses + 1):
        lang = Language.EN if c % 10 == 0 else Language.DA
        name = FIRST[c % len(FIRST)]
        citizens.append({"id": c, "preferred_name": name, "full_name": f"{name} Test{c}", "language": lang, "created_at": now})
        courses.append({"id": c, "citizen_id": c, "title": "", "started_on": date(2024, 1, 1), "chart_in_summary": False})
        course_members = []

        def member(kind, mname, relation, organisation=None, user_id=None, closeness=Closeness.MIDDLE):
            nonlocal member_id
            member_id += 1
            members.append({"id": member_id, "course_id": c, "kind": kind, "name": mname, "relation": relation,
                            "organisation": organisation, "closeness": closeness, "user_id": user_id, "is_proxy": False,
                            "language": lang})
            course_members.append(member_id)
            return member_id

        citizen_member = member(MemberKind.CITIZEN, name, "", closeness=Closeness.CLOSE)
        for r in RELATIONS[:3]:
            member(MemberKind.PRIVATE, f"{r.title()} {c}", r, closeness=Closeness.CLOSE)
        for relation, org in PROFESSIONS:
            member(MemberKind.PROFESSIONAL, f"{relation.title()} {c}", relation, org)
        for offset, role in enumerate((Role.TOVHOLDER, Role.MEETING_LEADER, Role.REFLECTANT)):
            staff = (c + offset * 7) % n_staff + 1
            role_id += 1
            roles.append({"id": role_id, "user_id": staff, "course_id": c, "role": role, "created_at": now})
            member(MemberKind.TEAM, f"Medarbejder {staff}", "", user_id=staff)

        open_from_earlier: list[int] = []
        for k in range(meetings_per_course):
            meeting_id += 1
            planned = now - timedelta(days=28 * (meetings_per_course - 1 - k)) + timedelta(days=2)
            is_last = k == meetings_per_course - 1
            meetings.append({
                "id": meeting_id, "course_id": c, "kind": MeetingKind.REGULAR, "planned_at": planned, "location": "Mødelokalet",
                "theme": "", "citizen_topics": "Søvn og arbejde", "phase": Phase.OPENING if is_last else Phase.CLOSING,
                "phase_started_at": None if is_last else planned, "planned_minutes": 90,
                "opened_at": None if is_last else planned, "closed_at": None if is_last else planned + timedelta(minutes=85),
                "summary_given_at": None, "pre_meeting_note": "",
            })
            (open_meetings if is_last else closed_meetings).append(meeting_id)
            present = [citizen_member] + rnd.sample(course_members[1:7], 4)
            for m in present:
                attendance.append({"meeting_id": meeting_id, "member_id": m, "status": AttendanceStatus.PRESENT,
                                   "spoke_in_dialogue": not is_last, "spoke_in_response": False, "unannounced": False})
            if is_last:
                continue
            for i in range(notes_per_meeting):
                note_id += 1
                notes.append({
                    "id": note_id, "meeting_id": meeting_id, "client_uid": f"gen-{note_id}", "speaker_id": rnd.choice(present),
                    "kind": NoteKind.OWN_WORDS if i % 4 else NoteKind.REFLECTION, "phase": Phase.DIALOGUE,
                    "text": rnd.choice(SAYINGS), "include_in_summary": i % 7 != 0, "version": 1, "last_device": "gen",
                    "last_seq": 1, "created_at": planned + timedelta(minutes=i), "updated_at": planned + timedelta(minutes=i),
                })
            # Review what was open from before, then make three new agreements.
            still_open = []
            for a in open_from_earlier:
                review_id += 1
                outcome = rnd.choice([ReviewOutcome.DONE, ReviewOutcome.DONE, ReviewOutcome.PARTLY, ReviewOutcome.DROPPED])
                reviews.append({"id": review_id, "agreement_id": a, "meeting_id": meeting_id, "outcome": outcome,
                                "comment": "Det gik nogenlunde.", "created_at": planned})
                if outcome == ReviewOutcome.PARTLY:
                    still_open.append(a)
                else:
                    agreements[a - 1]["status"] = AgreementStatus.DONE if outcome == ReviewOutcome.DONE else AgreementStatus.DROPPED
            for _i in range(3):
                agreement_id += 1
                agreements.append({
                    "id": agreement_id, "course_id": c, "origin_meeting_id": meeting_id, "text": "Ringer til jobcentret om praktik.",
                    "responsible_id": rnd.choice(course_members), "due_on": (planned + timedelta(days=14)).date(),
                    "status": AgreementStatus.OPEN, "created_at": planned,
                })
                still_open.append(agreement_id)
            open_from_earlier = still_open

    for model, rows in (
        (User, users), (Citizen, citizens), (Course, courses), (NetworkMember, members), (RoleAssignment, roles),
        (Meeting, meetings), (Attendance, attendance), (Note, notes), (Agreement, agreements), (AgreementReview, reviews),
    ):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
    db.session.commit()
    _fix_sequences()
    return Generated(
        citizens=n_courses, meetings=len(meetings), notes=len(notes), agreements=len(agreements), staff=n_staff,
        sample_staff=[f"staff{i}" for i in range(1, min(n_staff, 20) + 1)],
        open_meeting_ids=open_meetings, closed_meeting_ids=closed_meetings, course_ids=[c["id"] for c in courses],
    )


def _fix_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids inserted explicitly."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            db.session.execute(db.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 1))"
            ))
    db.session.commit()
