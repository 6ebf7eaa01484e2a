"""The network map: the citizen's network drawn server-side as SVG.

The citizen sits in the middle; rings show how close people are; the private network is
on the left, professionals on the right, the network team on a line of its own below.
Every name and relation is real, escaped <text>, so the map prints sharply, scales on a
tablet and can be searched; the plain list beside it carries the same facts for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from kernel.bidi import isolate
from meetings.models import Closeness, MemberKind, NetworkMember

WIDTH = 900
HEIGHT = 660
CX = WIDTH // 2
CY = 320
#: Radius of each closeness ring.
RADIUS = {Closeness.CLOSE: 110, Closeness.MIDDLE: 185, Closeness.DISTANT: 260}
CITIZEN_RADIUS = 44
NODE_RADIUS = 8
#: Vertical room for one person's two lines of text (name, relation).
ROW = 42
NAME_CHARS = 24
RELATION_CHARS = 30
TEAM_Y = 628


@dataclass(frozen=True)
class Placed:
    member: NetworkMember
    x: float
    y: float
    label_y: float
    side: int  # -1 left (private), +1 right (professional)


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slots(count: int, row: float) -> list[float]:
    """Vertical offsets from the centre line, nearest first: 0, -row, +row, -2row, … (or ±row/2 … for even counts)."""
    if count <= 0:
        return []
    offsets = [(i - (count - 1) / 2) * row for i in range(count)]
    return sorted(offsets, key=lambda o: (abs(o), o))


def place_side(members: Sequence[NetworkMember], side: int) -> list[Placed]:
    """Place one side's members on their rings, each on a row of its own so no two labels overlap."""
    order = {Closeness.CLOSE: 0, Closeness.MIDDLE: 1, Closeness.DISTANT: 2}
    ranked = sorted(members, key=lambda m: (order[m.closeness], m.id))
    reach = RADIUS[Closeness.DISTANT] * 0.95
    row = min(ROW, 2 * reach / max(len(ranked), 1))
    # The innermost people take the rows nearest the centre line, where their ring is widest.
    slots = _slots(len(ranked), row)
    # Within one ring, keep people top to bottom in the order they were added.
    placed: list[Placed] = []
    start = 0
    for closeness in (Closeness.CLOSE, Closeness.MIDDLE, Closeness.DISTANT):
        ring = [m for m in ranked if m.closeness == closeness]
        ring_slots = sorted(slots[start : start + len(ring)])
        start += len(ring)
        radius = RADIUS[closeness]
        for member, offset in zip(ring, ring_slots, strict=True):
            dy = max(-radius * 0.92, min(radius * 0.92, offset))
            dx = math.sqrt(radius**2 - dy**2)
            placed.append(Placed(member, CX + side * dx, CY + dy, CY + offset, side))
    return placed


#: Presentation attributes, not CSS: the map looks the same printed, saved or under a strict CSP.
STYLE = {
    "name": 'font-size="18" font-weight="600" fill="#1d232b"',
    "relation": 'font-size="15" fill="#4a535e"',
    "ring-label": 'font-size="14" fill="#4a535e" font-style="italic"',
    "side-label": 'font-size="19" font-weight="700" fill="#1d232b"',
    "citizen-name": 'font-size="19" font-weight="700" fill="#ffffff"',
    "team": 'font-size="16" fill="#1d232b"',
}
COLOURS = {"private": "#a8550f", "professional": "#1f5f8b"}


def _text(x: float, y: float, content: str, *, cls: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}" {STYLE[cls]} '
        f'font-family="system-ui, sans-serif">{escape(content)}</text>'
    )


def render_network_svg(citizen_name: str, members: Sequence[NetworkMember]) -> Markup:
    """Return the network map as an inline SVG: escaped text, a <title>, role="img" and an aria-label."""
    current = [m for m in members if m.removed_at is None]
    private = [m for m in current if m.kind == MemberKind.PRIVATE]
    professional = [m for m in current if m.kind == MemberKind.PROFESSIONAL]
    team = [m for m in current if m.kind == MemberKind.TEAM]

    # Every name shown is isolated (FSI…PDI; SVG text takes no <bdi>): one written right to
    # left never turns the map's own words around. The aria-label is heard, not seen: plain.
    def sentences(name: str) -> tuple[str, str]:
        title = _("Network map of %(name)s", name=name)
        summary = _(
            "%(name)s in the middle. In the private network: %(private)s. Professionals: %(professional)s.",
            name=name,
            private=len(private),
            professional=len(professional),
        )
        return title, summary

    heard_title, heard_summary = sentences(citizen_name)
    title, summary = sentences(isolate(citizen_name))
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-map" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(heard_title)}. {escape(heard_summary)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(summary)}</desc>",
    ]
    # Rings, furthest first, each labelled below the centre.
    for closeness in (Closeness.DISTANT, Closeness.MIDDLE, Closeness.CLOSE):
        radius = RADIUS[closeness]
        parts.append(f'<circle cx="{CX}" cy="{CY}" r="{radius}" class="ring ring-{closeness.value}" fill="none" stroke="#b9c1ca" stroke-width="2"/>')
        parts.append(_text(CX, CY + radius - 8, str(closeness.title), cls="ring-label"))
    top, bottom = CY - RADIUS[Closeness.DISTANT] - 10, CY - CITIZEN_RADIUS
    parts.append(f'<line x1="{CX}" y1="{top}" x2="{CX}" y2="{bottom}" class="divider" stroke="#b9c1ca" stroke-dasharray="6 6"/>')
    parts.append(_text(24, 30, _("Private network"), cls="side-label", anchor="start"))
    parts.append(_text(WIDTH - 24, 30, _("Professionals"), cls="side-label", anchor="end"))

    for side, group, cls in ((-1, private, "private"), (1, professional, "professional")):
        for p in place_side(group, side):
            anchor = "end" if side < 0 else "start"
            label_x = p.x + side * (NODE_RADIUS + 6)
            # A <text> is laid out on its own: a name alone needs no isolate; one with the ★ after it does.
            name = isolate(_short(p.member.name, NAME_CHARS - 2)) + " ★" if p.member.is_proxy else _short(p.member.name, NAME_CHARS)
            parts.append(f'<g class="person person-{cls}">')
            relation = f" — {isolate(p.member.relation)}" if p.member.relation else ""
            parts.append(f"<title>{escape(isolate(p.member.name))}{escape(relation)}</title>")
            if abs(p.label_y - p.y) > 1:
                parts.append(f'<line x1="{p.x:.1f}" y1="{p.y:.1f}" x2="{label_x:.1f}" y2="{p.label_y - 5:.1f}" class="leader" stroke="{COLOURS[cls]}"/>')
            parts.append(f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="{NODE_RADIUS}" class="node" fill="{COLOURS[cls]}"/>')
            parts.append(_text(label_x, p.label_y - 2, name, cls="name", anchor=anchor))
            detail = p.member.relation or p.member.organisation or ""
            if detail:
                parts.append(_text(label_x, p.label_y + 15, _short(detail, RELATION_CHARS), cls="relation", anchor=anchor))
            parts.append("</g>")

    parts.append(f'<circle cx="{CX}" cy="{CY}" r="{CITIZEN_RADIUS}" class="citizen" fill="#1f5f8b"/>')
    parts.append(_text(CX, CY + 6, _short(citizen_name, 12), cls="citizen-name"))
    if not private and not professional:
        parts.append(_text(CX, CY + CITIZEN_RADIUS + 30, _("No one in the network yet."), cls="relation"))
    if team:
        each = max(8, 86 // len(team))  # the line stays within about 100 characters, as before
        names = ", ".join(isolate(_short(m.name, each)) for m in team)
        parts.append(f'<line x1="24" y1="{TEAM_Y - 26}" x2="{WIDTH - 24}" y2="{TEAM_Y - 26}" class="divider" stroke="#b9c1ca"/>')
        parts.append(_text(24, TEAM_Y, _("Network team: %(names)s", names=names), cls="team", anchor="start"))
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 -- every text and attribute value above went through escape(); the rest is fixed markup and numbers
