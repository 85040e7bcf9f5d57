"""The volunteer's page behind their personal link: plain HTML, one form per assignment.

No script and nothing loaded from elsewhere: it opens from a WeChat message on
any phone.  In the language of the request (Chinese by default).
"""

from __future__ import annotations

import html

from api.attendance_schemas import MyTeams, TeamDay, TeamMember
from api.proposal_schemas import MyProposals, ProposalView
from api.store.proposals import CONFIRMED, DECLINED, PROPOSED
from matcher.attendance import STATUS_NAMES, AttendanceStatus
from matcher.domain import AssignmentRole
from matcher.i18n import _, language

_STYLE = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
margin:0;padding:12px;max-width:640px;margin-inline:auto;line-height:1.5;color:#1a1a1a}
h1{font-size:1.3rem;margin:.2em 0 .6em}
.card{border:1px solid #ccc;border-radius:8px;padding:12px;margin:0 0 12px}
.card h2{font-size:1.1rem;margin:0 0 .3em}
.state{display:inline-block;padding:0 .5em;border-radius:4px;background:#eee}
.confirmed{background:#d7f5dd}.declined,.cancelled,.replaced{background:#f8e0e0}
label{display:block;margin:.5em 0 .2em}
textarea{width:100%;box-sizing:border-box;font-size:1rem;min-height:3em}
.buttons{display:flex;gap:8px;margin-top:8px}
button{flex:1;font-size:1.05rem;padding:.7em;border-radius:6px;border:1px solid #888}
.yes{background:#1a7f37;color:#fff;border-color:#1a7f37}
.no{background:#fff;color:#b3261e;border-color:#b3261e}
.notice{padding:8px 12px;border-radius:6px;background:#eef4ff;margin-bottom:12px}
.team{border-color:#1a5fb4}.tally{font-weight:600}
.member{border-top:1px solid #ddd;padding:8px 0}
.member .buttons{flex-wrap:wrap}.member button{flex:1 1 40%;font-size:1rem;padding:.55em}
.attended,.late,.left_early{background:#d7f5dd}.no_show{background:#f8e0e0}
.due{background:#fff4ce}
a{color:#1a5fb4}
"""  # i18n: not shown: CSS


def _when(view: ProposalView) -> str:
    if view.date is None:
        return _("any time during the service period")
    day = view.date.isoformat()
    if view.start and view.end:
        return f"{day} {view.start}–{view.end}"
    return day


def _notice(done: str | None) -> str:
    texts = {
        "confirmed": _("Thank you: your confirmation is recorded."),
        "declined": _("Your decline is recorded; the coordinator will find someone else."),
        "conflict": _("That assignment changed meanwhile; here is where it stands now."),
        "marked": _("Recorded. Tap another button to correct it."),
        "not_recorded": _("Not recorded: arrivals are recorded on the day of the service."),
    }
    text = texts.get(done or "")
    return f'<p class="notice" role="status">{html.escape(text)}</p>' if text else ""


def _card(token: str, view: ProposalView) -> str:
    esc = html.escape
    title = view.need_title or view.need_id
    when, where, role_word, status_word = _("When"), _("Where"), _("Role"), _("Status")
    role = _("team lead") if view.role == AssignmentRole.LEAD.value else _("team member")
    lines = [
        f'<section class="card" aria-labelledby="p{view.id}">',
        f'<h2 id="p{view.id}">{esc(title)}</h2>',
        f"<div>{esc(when)}: {esc(_when(view))}</div>",
    ]
    if view.place:
        lines.append(f"<div>{esc(where)}: {esc(view.place)}</div>")
    lines.append(f"<div>{esc(role_word)}: {esc(role)}</div>")
    lines.append(
        f'<div>{esc(status_word)}: <span class="state {esc(view.state)}">'
        f"{esc(view.state_name)}</span></div>"
    )
    if view.state in (PROPOSED, CONFIRMED):
        note_id = f"note{view.id}"
        note_label = _("Note (optional, e.g. why you cannot come)")
        yes, no = _("Confirm, I will come"), _("Decline, I cannot come")
        lines += [
            f'<form method="post" action="/me/{esc(token)}/answer">',
            f'<input type="hidden" name="proposal_id" value="{view.id}">',
            f'<label for="{note_id}">{esc(note_label)}</label>',
            f'<textarea id="{note_id}" name="note" maxlength="500"></textarea>',
            '<div class="buttons">',
        ]
        if view.state == PROPOSED:
            lines.append(
                f'<button class="yes" type="submit" name="action" value="confirm">'
                f"{esc(yes)}</button>"
            )
        lines += [
            f'<button class="no" type="submit" name="action" value="decline">{esc(no)}</button>',
            "</div></form>",
        ]
    lines.append("</section>")
    return "\n".join(lines)


def _member_row(token: str, member: TeamMember, recordable: bool) -> str:
    esc = html.escape
    name = member.volunteer_name or member.volunteer_id
    role = _("team lead") if member.role == AssignmentRole.LEAD.value else _("team member")
    mark = member.attendance or "due"
    recorded = member.attendance_name or _("not recorded yet")
    times = f" {member.start or ''}–{member.end or ''}" if member.attendance else ""
    lines = [
        f'<div class="member" id="m{member.proposal_id}">',
        f"<div><strong>{esc(name)}</strong> · {esc(role)} · "
        f'<span class="state {esc(member.state)}">{esc(member.state_name)}</span></div>',
    ]
    if member.phone:
        lines.append(f'<div><a href="tel:{esc(member.phone)}">{esc(member.phone)}</a></div>')
    lines.append(
        f'<div>{esc(_("Attendance"))}: <span class="state {esc(mark)}">'
        f"{esc(recorded)}{esc(times)}</span></div>"
    )
    if recordable and member.state != DECLINED:
        lines += [
            f'<form method="post" action="/me/{esc(token)}/arrival">',
            f'<input type="hidden" name="proposal_id" value="{member.proposal_id}">',
            '<div class="buttons">',
        ]
        for status in AttendanceStatus:
            pressed = "true" if member.attendance == status.value else "false"
            label = _("{status}: {name}").format(status=_(STATUS_NAMES[status]), name=name)
            lines.append(
                f'<button type="submit" name="status" value="{status.value}" '
                f'aria-pressed="{pressed}" aria-label="{esc(label)}">'
                f"{esc(_(STATUS_NAMES[status]))}</button>"
            )
        lines.append("</div></form>")
    lines.append("</div>")
    return "\n".join(lines)


def _team(token: str, team: TeamDay) -> str:
    esc = html.escape
    title = team.need_title or team.need_id
    day = team.date.isoformat() if team.date else _("any time during the service period")
    when = f"{day} {team.start}–{team.end}" if team.start and team.end else day
    due = [m for m in team.members if m.state != DECLINED]
    arrived = sum(1 for m in due if m.attendance and AttendanceStatus(m.attendance).served)
    heading = _("Your team: {title}").format(title=title)
    tally = _("{arrived} of {due} arrived").format(arrived=arrived, due=len(due))
    lines = [
        f'<section class="card team" aria-labelledby="t{team.lead_proposal_id}">',
        f'<h2 id="t{team.lead_proposal_id}">{esc(heading)}</h2>',
        f"<div>{esc(_('When'))}: {esc(when)}</div>",
    ]
    if team.place:
        lines.append(f"<div>{esc(_('Where'))}: {esc(team.place)}</div>")
    lines.append(f'<p class="tally">{esc(tally)}</p>')
    if not team.recordable:
        later = _("Arrivals can be marked here on the day of the service.")
        lines.append(f"<p>{esc(later)}</p>")
    lines += [_member_row(token, m, team.recordable) for m in team.members]
    lines.append("</section>")
    return "\n".join(lines)


def render_page(
    token: str, mine: MyProposals, done: str | None = None, teams: MyTeams | None = None
) -> str:
    """The volunteer's page: plain HTML and one form per assignment, no script, no CDN.

    Parameters
    ----------
    token
        The personal link's token (the forms post back to it).
    mine
        The volunteer's proposals in the plan of record.
    done
        What the last form did (``confirmed``, ``declined``, ``conflict``,
        ``marked``, ``not_recorded``), to say so.
    teams
        The teams the volunteer leads: each with its members and a button
        per attendance status, for the lead to tap on the day.

    Returns
    -------
    str
        The page, in the language in force.
    """
    esc = html.escape
    name = mine.volunteer_name or mine.volunteer_id
    heading = _("{name}'s volunteer assignments").format(name=name)
    body = [f"<h1>{esc(heading)}</h1>", _notice(done)]
    if not mine.items:
        nothing = _("You have no assignments in the published roster.")
        body.append(f"<p>{esc(nothing)}</p>")
    else:
        voluntary = _("Serving is voluntary: please confirm or decline each one in time.")
        calendar = _("Add my assignments to my phone calendar")
        body.append(f"<p>{esc(voluntary)}</p>")
        body += [_card(token, view) for view in mine.items]
        body.append(f'<p><a href="/me/{esc(token)}/calendar.ics">{esc(calendar)}</a></p>')
    if teams is not None:
        body += [_team(token, team) for team in teams.teams]
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{esc(heading)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>"
    )
