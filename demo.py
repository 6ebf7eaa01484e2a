"""A fictional Danish course for trying Rundbord: Maja, her network, two meetings held, one coming."""

from __future__ import annotations

from datetime import datetime, timedelta

from extensions import db
from kernel.clock import utcnow
from meetings.course.calendar import plan_meeting
from meetings.course.network import add_member, citizen_member, create_course, current_members, join_team, set_proxy
from meetings.feedback.inspire import record_inspire
from meetings.feedback.ratings import record_rating
from meetings.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Closeness,
    Consent,
    ConsentScope,
    Course,
    FollowUp,
    Goal,
    GoalKind,
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
from meetings.team.models import ProxyPeriod
from roles import services as role_services
from roles.models import Grant, Role, StaffGrant, User

#: username, display name, role in the demo course. Fictional people.
DEMO_STAFF = [
    ("tove", "Tove Lund", Role.TOVHOLDER),
    ("morten", "Morten Bak", Role.MEETING_LEADER),
    ("rikke", "Rikke Dahl", Role.REFLECTANT),
]
#: The demo's administrator: staff accounts and grants, no role in any course (sees no citizen).
DEMO_ADMIN = ("ada", "Ada Winther")
DEMO_PASSWORD = "rundbord-demo"


def is_empty() -> bool:
    """Return whether the database has no users yet."""
    return db.session.scalar(db.select(User.id).limit(1)) is None


def wipe() -> None:
    """Delete every row, children first (for `flask demo`)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()  # the rows are gone; so must be the objects that stood for them


def _at(base: datetime, days: int, hour: int) -> datetime:
    # Meetings at local 10:00 ≈ 09:00 UTC in winter; naive UTC in the database.
    return (base + timedelta(days=days)).replace(hour=hour - 1, minute=0, second=0, microsecond=0)


def create_demo(now: datetime | None = None, extras: bool = True) -> list[tuple[str, str, str]]:
    """Create the demo course and return the logins as (username, password, role title).

    `extras` adds what happened between the meetings (follow-ups, a pre-meeting, INSPIRE
    answers and ratings); tests start from the course without them.
    """
    now = now or utcnow()
    users = {u: role_services.create_user(u, name, DEMO_PASSWORD) for u, name, _ in DEMO_STAFF}
    admin = role_services.create_user(*DEMO_ADMIN, DEMO_PASSWORD)
    db.session.add_all([StaffGrant(user_id=admin.id, kind=Grant.ADMINISTRATOR), StaffGrant(user_id=users["tove"].id, kind=Grant.STARTS_COURSES)])
    # A second course where Rikke is tovholder: roles belong to a course, not a person.
    course = create_course("Maja", Language.DA, title="Netværksmøder 2026", full_name="Maja Holm")
    for username, _name, role in DEMO_STAFF:
        join_team(users[username], course, role)

    maja = citizen_member(course.id)
    add = lambda **kw: add_member(course, **kw)  # noqa: E731
    mor = add(kind=MemberKind.PRIVATE, name="Hanne Holm", relation="mor", contact="sms: 20 11 22 33", closeness=Closeness.CLOSE)
    bror = add(kind=MemberKind.PRIVATE, name="Jonas Holm", relation="lillebror", contact="messenger", closeness=Closeness.CLOSE)
    add(kind=MemberKind.PRIVATE, name="Sara Nielsen", relation="veninde fra gymnasiet", closeness=Closeness.MIDDLE)
    bo = add(
        kind=MemberKind.PROFESSIONAL, name="Ali Hassan", relation="bostøttemedarbejder", organisation="Bostøtten, Aarhus Kommune",
        mandate="Kan aftale ekstra besøg, op til 4 timer om ugen.", contact="telefon 87 13 00 00, hverdage 8-15", closeness=Closeness.CLOSE,
    )
    job = add(
        kind=MemberKind.PROFESSIONAL, name="Lene Berg", relation="sagsbehandler", organisation="Jobcenter Aarhus",
        mandate="Kan beslutte om praktikforløb og ressourceforløb.", contact="e-Boks eller telefon", closeness=Closeness.DISTANT,
    )
    psyk = add(
        kind=MemberKind.PROFESSIONAL, name="Peter Kjær", relation="sygeplejerske", organisation="Distriktspsykiatrien",
        mandate="Kan ændre tider til samtaler; ikke medicin.", contact="telefon", closeness=Closeness.MIDDLE,
    )
    laege = add(kind=MemberKind.PROFESSIONAL, name="Dr. Inger Mose", relation="egen læge", organisation="Lægehuset Vesterbro", closeness=Closeness.DISTANT)
    set_proxy(course, mor)
    db.session.add(ProxyPeriod(course_id=course.id, member_id=mor.id, started_on=(now - timedelta(days=60)).date(), recorded_by_id=users["tove"].id))

    db.session.add_all([
        Goal(course_id=course.id, kind=GoalKind.HOPE, text="At kunne sove om natten igen."),
        Goal(course_id=course.id, kind=GoalKind.DREAM, text="Jeg vil gerne arbejde med heste en dag."),
    ])
    for member, scope in ((mor, ConsentScope.SUMMARY), (bo, ConsentScope.SUMMARY), (bo, ConsentScope.AGREEMENTS), (psyk, ConsentScope.SUMMARY)):
        db.session.add(Consent(course_id=course.id, member_id=member.id, scope=scope, circumstances="altid", recorded_by_id=users["tove"].id))
    # Only in a certain situation: never listed as a recipient; the pages ask a person to check first.
    db.session.add(
        Consent(
            course_id=course.id, member_id=laege.id, scope=ConsentScope.SUMMARY, circumstances="ved indlæggelse", recorded_by_id=users["tove"].id
        )
    )

    team = {m.user_id: m for m in current_members(course.id) if m.kind == MemberKind.TEAM}
    rikke = team[users["rikke"].id]

    # Meeting 1: about eight weeks ago.
    m1 = plan_meeting(course, _at(now, -56, 10), location="Bostøttens mødelokale, Vestergade 4", theme="Søvn og hverdag")
    m1.opened_at, m1.closed_at, m1.phase = m1.planned_at, m1.planned_at + timedelta(minutes=85), Phase.CLOSING
    m1.citizen_topics = "At jeg ikke kan sove, og at jeg er bange for at miste lejligheden."
    for member in (maja, mor, bo, psyk):
        db.session.add(Attendance(meeting_id=m1.id, member_id=member.id, status=AttendanceStatus.PRESENT))
    db.session.add(Attendance(meeting_id=m1.id, member_id=job.id, status=AttendanceStatus.SENT_WORD))
    notes1 = [
        (maja, NoteKind.OWN_WORDS, Phase.DIALOGUE, "Jeg ligger vågen til klokken fire, og så kan jeg ikke komme op."),
        (mor, NoteKind.OWN_WORDS, Phase.DIALOGUE, "Jeg bliver bange, når hun ikke tager telefonen."),
        (bo, NoteKind.OWN_WORDS, Phase.DIALOGUE, "Huslejen er betalt, men der ligger breve, hun ikke har åbnet."),
        (rikke, NoteKind.REFLECTION, Phase.REFLECTION, "Jeg hæfter mig ved, at Maja selv siger, hun gerne vil have hjælp til brevene."),
        (maja, NoteKind.OWN_WORDS, Phase.RESPONSE, "Det er rart at høre, at det ikke kun er mig, der synes, det er svært."),
    ]
    for i, (who, kind, phase, text) in enumerate(notes1):
        db.session.add(Note(meeting_id=m1.id, client_uid=f"demo-1-{i}", speaker_id=who.id, kind=kind, phase=phase, text=text, created_at=m1.planned_at + timedelta(minutes=10 + 10 * i)))
    a1 = Agreement(course_id=course.id, origin_meeting_id=m1.id, text="Ali hjælper Maja med at åbne og sortere brevene.", responsible_id=bo.id, due_on=(m1.planned_at + timedelta(days=14)).date())
    a2 = Agreement(course_id=course.id, origin_meeting_id=m1.id, text="Maja bestiller tid hos egen læge om søvnen.", responsible_id=maja.id, due_on=(m1.planned_at + timedelta(days=7)).date())
    db.session.add_all([a1, a2])
    db.session.flush()

    # Meeting 2: about four weeks ago; the two agreements were reviewed.
    m2 = plan_meeting(course, _at(now, -28, 10), location="Hjemme hos Maja", theme="Arbejde og økonomi")
    m2.opened_at, m2.closed_at, m2.phase = m2.planned_at, m2.planned_at + timedelta(minutes=80), Phase.CLOSING
    m2.citizen_topics = "Om jeg kan komme i praktik et sted med dyr."
    for member in (maja, mor, bror, bo, job):
        db.session.add(Attendance(meeting_id=m2.id, member_id=member.id, status=AttendanceStatus.PRESENT))
    db.session.add(AgreementReview(agreement_id=a1.id, meeting_id=m2.id, outcome=ReviewOutcome.DONE, comment="Alle brevene er åbnet. To skulle betales, og det er gjort.", reviewed_by_id=users["morten"].id))
    a1.status = AgreementStatus.DONE
    db.session.add(AgreementReview(agreement_id=a2.id, meeting_id=m2.id, outcome=ReviewOutcome.NOT_DONE, comment="Jeg har ikke fået ringet. Det er svært at ringe.", reviewed_by_id=users["morten"].id))
    notes2 = [
        (maja, NoteKind.OWN_WORDS, Phase.DIALOGUE, "Når jeg er ved hestene, tænker jeg ikke på alt det andet."),
        (bror, NoteKind.OWN_WORDS, Phase.DIALOGUE, "Jeg kan køre hende derud om lørdagen."),
        (job, NoteKind.OWN_WORDS, Phase.DIALOGUE, "Der er mulighed for en praktik på en rideskole, hvis Maja har lyst."),
        (rikke, NoteKind.REFLECTION, Phase.REFLECTION, "Jeg lægger mærke til, hvor meget energi der kom i rummet, da hestene blev nævnt."),
        (maja, NoteKind.OWN_WORDS, Phase.RESPONSE, "Ja. Men jeg vil ikke love for meget på én gang."),
        (rikke, NoteKind.OBSERVATION, Phase.DIALOGUE, "Jonas og Maja grinede sammen flere gange."),
    ]
    for i, (who, kind, phase, text) in enumerate(notes2):
        db.session.add(Note(meeting_id=m2.id, client_uid=f"demo-2-{i}", speaker_id=who.id, kind=kind, phase=phase, text=text, created_at=m2.planned_at + timedelta(minutes=10 + 10 * i)))
    a3 = Agreement(course_id=course.id, origin_meeting_id=m2.id, text="Lene undersøger praktikpladsen på rideskolen og ringer til Maja.", responsible_id=job.id, due_on=(m2.planned_at + timedelta(days=21)).date())
    a4 = Agreement(course_id=course.id, origin_meeting_id=m2.id, text="Hanne ringer til lægen sammen med Maja.", responsible_id=mor.id, due_on=(m2.planned_at + timedelta(days=7)).date())
    db.session.add_all([a3, a4])

    # Meeting 3: in three days, not started.
    m3 = plan_meeting(course, _at(now, 3, 10), location="Bostøttens mødelokale, Vestergade 4", theme="Praktik og søvn")
    for member in (maja, mor, bror, bo, job, psyk):
        db.session.add(Attendance(meeting_id=m3.id, member_id=member.id, status=AttendanceStatus.INVITED))

    if extras:
        db.session.flush()
        add_demo_feedback(course.id)
        add_demo_followups(course, users["tove"], now)

    # An acute meeting is possible too; Rikke coordinates another (short) course.
    other = create_course("Karim", Language.EN, title="Network meetings", full_name="Karim Saleh")
    join_team(users["rikke"], other, Role.TOVHOLDER)
    join_team(users["morten"], other, Role.REFLECTANT)
    add_member(other, kind=MemberKind.PRIVATE, name="Yasmin Saleh", relation="sister", language=Language.EN, closeness=Closeness.CLOSE)
    plan_meeting(other, _at(now, 1, 13), kind=MeetingKind.ACUTE, location="Home")
    db.session.commit()
    return [(u, DEMO_PASSWORD, str(role.title)) for u, _n, role in DEMO_STAFF] + [(DEMO_ADMIN[0], DEMO_PASSWORD, str(Grant.ADMINISTRATOR.title))]


def add_demo_followups(course: Course, tovholder: User, now: datetime | None = None, *, pre_meeting: bool = True) -> None:
    """Add the demo's follow-up: a contact about the job centre agreement, Maja's limit and (optionally) a pre-meeting."""
    now = now or utcnow()
    open_ones = db.session.scalars(
        db.select(Agreement)
        .join(NetworkMember, Agreement.responsible_id == NetworkMember.id)
        .where(Agreement.course_id == course.id, Agreement.status == AgreementStatus.OPEN, NetworkMember.kind == MemberKind.PROFESSIONAL)
        .order_by(Agreement.id)
    ).all()
    for agreement in open_ones[:1]:
        db.session.add(
            FollowUp(
                agreement_id=agreement.id,
                contacted_on=(now - timedelta(days=3)).date(),
                text="Ringede til Lene på jobcentret. Rideskolen har ikke svaret endnu; Lene ringer til Maja på fredag.",
                author_id=tovholder.id,
            )
        )
    course.max_participants = 7
    coming = db.session.scalars(
        db.select(Meeting).where(Meeting.course_id == course.id, Meeting.closed_at.is_(None)).order_by(Meeting.planned_at)
    ).first()
    if coming is not None and pre_meeting:
        coming.pre_meeting_at = now - timedelta(days=1)
        coming.pre_meeting_note = "Formøde hos Maja. Hun vil gerne have, at Jonas kommer med."
        if not coming.citizen_topics:
            coming.citizen_topics = "Praktikken på rideskolen, og at jeg stadig sover dårligt."
    db.session.flush()


def add_demo_feedback(course_id: int) -> None:
    """Add fictional INSPIRE responses and session ratings to the demo course's held meetings."""
    course = db.session.get(Course, course_id)
    held = [m for m in db.session.scalars(db.select(Meeting).where(Meeting.course_id == course_id).order_by(Meeting.planned_at)) if m.closed_at]
    if course is None or not held:
        return
    citizen = citizen_member(course_id)
    by_relation = {m.relation: m for m in db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course_id))}
    first, last = held[0], held[-1]
    record_inspire(course, {"connectedness": 2, "hope": 1, "identity": 1, "meaning": 2, "empowerment": 1}, meeting=first, answered_at=first.closed_at)
    # Between the meetings, at home with her support worker; she skipped the question about herself.
    between = first.closed_at + (last.planned_at - first.closed_at) / 2
    record_inspire(course, {"connectedness": 3, "hope": 2, "identity": None, "meaning": 2, "empowerment": 2}, answered_at=between)
    record_inspire(course, {"connectedness": 3, "hope": 3, "identity": 2, "meaning": 4, "empowerment": 2}, meeting=last, answered_at=last.closed_at)
    record_rating(first, citizen, 3, "Det var mange mennesker, men det var godt, at mor var med.")
    record_rating(last, citizen, 4, "Bedre at være hjemme hos mig selv.")
    for relation, meeting, score in (("mor", first, 4), ("bostøttemedarbejder", first, 4), ("mor", last, 5), ("lillebror", last, 5)):
        if relation in by_relation:
            record_rating(meeting, by_relation[relation], score)
    db.session.flush()
