"""Every text of the coordinators' page, as English message ids translated by the catalogues.

The page (``static/app.js``) names its texts by key, ``t("sign_in")``, and
reads them from ``GET /ui/texts`` in the chosen language, so the page has
one translation system with the rest of the project: the ids are marked
with :func:`N_` here, the Chinese is in the catalogue fragment ``web.po``,
and ``tests/test_i18n.py`` fails on an id without Chinese.  Placeholders are
named, ``{name}``, and filled by the page after the translation.

:data:`LABELS` turn the codes the API answers with (a need's category, a
volunteer's membership, a job's status ...) into words; the tables of the
service that already name a code (job statuses, proposal states, key roles)
are reused, not copied.

The module runs past 520 lines on purpose: it is one flat table with a line or
two per text of the page, and a table split by tab would let two tabs name the
same words under two keys without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Mapping

from api.deps import ROLE_NAMES
from api.routes.rosters import STATUS_NAMES
from api.store.proposals import STATE_NAMES
from api.store.requests import STATE_NAMES as REQUEST_STATE_NAMES
from matcher.attendance import STATUS_NAMES as ATTENDANCE_NAMES
from matcher.domain import HouseholdCategory, Membership, NeedCategory, Role
from matcher.i18n import N_, _, use_language
from matcher.repair import CHANGE_WORDS

TEXTS: dict[str, str] = {
    # the frame and signing in
    "app_title": N_("Volunteer rosters"),
    "skip_to_content": N_("Skip to the content"),
    "switch_language": N_("Switch the page's language"),
    "sections": N_("Sections of the page"),
    "tab_data": N_("Data"),
    "tab_plan": N_("Roster"),
    "tab_answers": N_("Answers"),
    "tab_keys": N_("Keys"),
    "tab_requests": N_("Requests"),
    "tab_day": N_("On the day"),
    "tab_ledger": N_("Ledger"),
    "tab_whatif": N_("What if ..."),
    "tab_pairing": N_("One-to-one support"),
    "dataset": N_("Dataset"),
    "no_datasets": N_("(no datasets)"),
    "sign_in_title": N_("Sign in"),
    "sign_in_help": N_(
        "Paste the API key you were given (make run prints one). It is kept in this tab "
        "only and forgotten when you close it."
    ),
    "api_key": N_("API key"),
    "sign_in": N_("Sign in"),
    "sign_out": N_("Sign out"),
    "signed_in_as": N_("{label} · {role}"),
    "server_unreachable": N_("The service cannot be reached; check the connection and try again"),
    "request_failed": N_("The request failed (HTTP {status})"),
    # datasets
    "datasets": N_("Datasets"),
    "no_datasets_yet": N_("No dataset yet: upload one below."),
    "name": N_("Name"),
    "dates": N_("Dates"),
    "volunteers": N_("Volunteers"),
    "needs": N_("Needs"),
    "households": N_("Households"),
    "actions": N_("Actions"),
    "browse": N_("Browse"),
    "browse_dataset": N_("Browse dataset {name}"),
    "plan": N_("Plan"),
    "plan_dataset": N_("Plan a roster for dataset {name}"),
    "upload_title": N_("Upload a dataset"),
    "upload_help": N_(
        "The filled-in template workbook (.xlsx), or the CSV files (volunteers.csv, "
        "needs.csv, ...), or one ZIP of them. Nothing is stored while any row has a problem."
    ),
    "download_template": N_("Download the empty template (.xlsx)"),
    "files": N_("Files"),
    "dataset_name_optional": N_("Name of the dataset (optional)"),
    "upload": N_("Upload"),
    "uploading": N_("Uploading and checking ..."),
    "upload_stored": N_(
        "Stored as dataset {name} (#{id}): {volunteers} volunteers, {needs} needs."
    ),
    "upload_warnings": N_("{count} warnings (stored anyway)"),
    "upload_failed": N_("The upload has {count} problems; nothing was stored."),
    "upload_problems": N_("Problems by file, row and column"),
    "file": N_("File"),
    "row": N_("Row"),
    "column": N_("Column"),
    "message": N_("Message"),
    "browse_title": N_("Browse {name}"),
    "show": N_("Show"),
    "browse_volunteers": N_("Volunteer list"),
    "browse_households": N_("Household list"),
    "browse_needs": N_("Residents' needs"),
    "filter": N_("Filter (any words: name, id, department, skill ...)"),
    "rows_shown": N_("Showing {shown} of {matching} matching ({total} in all)"),
    "id": N_("Id"),
    "department": N_("Department"),
    "volunteer_role": N_("Position"),
    "membership": N_("Political status"),
    "skills": N_("Skills"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "category": N_("Category"),
    "area": N_("Area"),
    "languages": N_("Languages"),
    "title": N_("Title"),
    "when": N_("When"),
    "place": N_("Place"),
    "team_size": N_("Team size"),
    "priority": N_("Priority"),
    # planning a roster
    "choose_dataset_first": N_("Choose or upload a dataset first (Data)."),
    "plan_title": N_("Roster for {name}"),
    "new_roster": N_("Plan a new roster"),
    "solve_help": N_(
        "Choose the dates to plan; the solver covers the most important needs first and "
        "explains every need it cannot cover."
    ),
    "from_date": N_("From"),
    "to_date": N_("To"),
    "time_limit": N_("Time limit (seconds)"),
    "start_solve": N_("Start planning"),
    "no_rosters_yet": N_("No roster planned for this dataset yet."),
    "roster": N_("Roster"),
    "roster_option": N_("#{id} {status}, {when} {published}"),
    "published": N_("(published)"),
    "superseded": N_("(superseded)"),
    "solving": N_("Planning roster #{id} ..."),
    "status": N_("Status"),
    "stage": N_("Stage"),
    "best_value": N_("Best value"),
    "bound": N_("Bound"),
    "gap": N_("Gap"),
    "elapsed": N_("Time"),
    "seconds": N_("{value} s"),
    "staffed_after_solve": N_(
        "The staffed needs are counted when the run ends; stopping keeps the best roster found."
    ),
    "stop": N_("Stop"),
    "roster_without_result": N_("This run ended without a roster ({status})."),
    "roster_title": N_("Roster #{id}"),
    "staffed_needs": N_("Needs staffed"),
    "of": N_("{part} of {whole}"),
    "assignments": N_("Assignments"),
    "solver_status": N_("Result"),
    "objective": N_("Objective"),
    "runtime": N_("Run time"),
    "publish": N_("Publish"),
    "publish_confirm": N_(
        "Publishing makes this the plan of record and asks each volunteer to confirm their "
        "assignment. Publish now?"
    ),
    "publish_now": N_("Yes, publish"),
    "cancel": N_("Cancel"),
    "published_report": N_("Published: {made} assignments proposed, {kept} kept from before."),
    "published_at": N_("Published {when}."),
    "published_superseded": N_("Published {when}; a later roster has replaced it."),
    "see_answers": N_("See the volunteers' answers"),
    "exports": N_("Download"),
    "export_xlsx": N_("Excel (.xlsx)"),
    "export_csv": N_("CSV"),
    "export_ics": N_("Calendar (.ics)"),
    "export_book": N_("Printable roster book"),
    "export_messages": N_("Messages to volunteers"),
    "group_chat_day": N_("Group-chat text for"),
    "show_group_chat": N_("Show the group-chat text"),
    "group_chat_text": N_("Group-chat text"),
    "copy": N_("Copy"),
    "copied": N_("Copied"),
    "filters": N_("Filters"),
    "day": N_("Day"),
    "all": N_("All"),
    "staffing": N_("Staffing"),
    "staffing_unmet": N_("not covered"),
    "staffing_short": N_("short"),
    "staffing_staffed": N_("staffed"),
    "search_volunteer": N_("Find a volunteer (name or id)"),
    "gaps_title": N_("Needs to look at ({count})"),
    "no_gaps": N_("Every need shown is fully staffed."),
    "grid_title": N_("Roster by day and time ({count} of {total} needs)"),
    "time_slot": N_("Time"),
    "slot_morning": N_("Morning"),
    "slot_afternoon": N_("Afternoon"),
    "slot_evening": N_("Evening"),
    "slot_anytime": N_("Time flexible"),
    "any_day": N_("Any day"),
    "any_time_needs": N_("Needs done at any time in the period"),
    "nothing_matches": N_("No need matches the filters."),
    "priority_short": N_("priority {value}"),
    "team_count": N_("{count} on the team (needs {min} to {max})"),
    "team": N_("Team"),
    "badge_lead": N_("Team lead"),
    "badge_party": N_("Party member"),
    "why": N_("Why:"),
    "ask_first": N_("Nearest volunteers to ask:"),
    "see_why": N_("See why"),
    # answers to the published roster
    "answers_title": N_("Answers to the published roster of {name}"),
    "nothing_published": N_(
        "Nothing is published for this dataset yet: publish a roster on the Roster page."
    ),
    "answers_help": N_(
        "Roster #{id}, published {when}. Record what volunteers told you, find a replacement "
        "for a decline, or send a volunteer their personal link to answer themselves."
    ),
    "state": N_("State"),
    "search_answers": N_("Find a volunteer or need"),
    "need": N_("Need"),
    "volunteer": N_("Volunteer"),
    "record_confirm": N_("Mark confirmed"),
    "record_confirm_for": N_("Record that {who} is confirmed"),
    "record_decline": N_("Mark declined"),
    "record_decline_for": N_("Record that {who} is declined"),
    "recorded_confirm": N_("Recorded: {name} confirmed."),
    "recorded_decline": N_("Recorded: {name} declined."),
    "find_replacement": N_("Find a replacement"),
    "find_replacement_for": N_("Find a replacement for {who}"),
    "candidates_ranked": N_("Who could take it, best first:"),
    "no_candidates": N_("Nobody free meets every rule of this need."),
    "holds": N_("already holds {count} ({minutes} min)"),
    "last_served": N_("last served {date}"),
    "never_served": N_("no service on record yet"),
    "asked_recently": N_("asked {count} times in 30 days"),
    "give_to": N_("Give it to {name}"),
    "replaced_by": N_("Offered to {name}."),
    "nearest_out": N_("Nearest who cannot, and why:"),
    "personal_link": N_("Personal link"),
    "personal_link_for": N_("Make a personal link for {name}"),
    "personal_link_made": N_("Send {name} this link to confirm or decline on their phone:"),
    # residents' requests and micro-wishes (点单 -> 派单 -> 接单 -> 评单)
    "requests_title": N_("Residents' requests of {name}"),
    "requests_help": N_(
        "A resident's request or micro-wish is entered (点单) and reviewed, dispatched as a "
        "need of the dataset (派单), taken by the volunteer who confirms it (接单) and rated "
        "after the service (评单)."
    ),
    "new_request": N_("Enter a request"),
    "request_kind": N_("Kind"),
    "request_title": N_("What is asked for"),
    "household": N_("Household served"),
    "no_household": N_("(no household)"),
    "requester": N_("Who asked"),
    "wanted_date": N_("Wanted date"),
    "start_time": N_("Start time"),
    "end_time": N_("End time"),
    "duration_minutes": N_("Minutes of work"),
    "volunteers_needed": N_("Volunteers needed"),
    "details": N_("Details"),
    "enter_request": N_("Enter it"),
    "request_entered": N_("Request #{id} entered: {title}"),
    "form_problems": N_("Please correct the marked fields:"),
    "no_requests": N_("No request in this list."),
    "step_entered": N_("Entered"),
    "step_reviewed": N_("Reviewed"),
    "step_dispatched": N_("Dispatched"),
    "step_taken": N_("Taken"),
    "step_rated": N_("Rated"),
    "steps": N_("Where it stands"),
    "note": N_("Note"),
    "accept_request": N_("Take it up"),
    "accept_request_for": N_("Take up the request {title}"),
    "reject_request": N_("Do not take it up"),
    "reject_request_for": N_("Do not take up the request {title}"),
    "dispatch": N_("Dispatch"),
    "dispatch_again": N_("Dispatch again"),
    "dispatch_for": N_("Dispatch the request {title}"),
    "dispatch_help": N_(
        "It becomes a need of the dataset at the time below; the next roster staffs it."
    ),
    "must_cover": N_("Must be covered"),
    "rate": N_("Rate"),
    "rate_for": N_("Rate the request {title}"),
    "rating": N_("Rating (1 to 5)"),
    "feedback": N_("The resident's words"),
    "rating_value": N_("{value} of 5"),
    "request_moved": N_("Request #{id}: {state}"),
    "request_dispatched": N_("Dispatched as need {need}: plan a new roster to staff it."),
    "taken_by": N_("Taken by"),
    "served_by": N_("Served by"),
    "nobody_yet": N_("nobody yet"),
    "review_note": N_("Review note"),
    # on the day: arrivals of the published roster
    "day_title": N_("On the day: {name}"),
    "day_help": N_(
        "Roster #{id}, published {when}. Tap what happened for each volunteer; a second, "
        "different tap corrects the record and asks why."
    ),
    "lead_link_help": N_(
        "Team leads can mark their own team from their personal link: their phone page "
        "shows the team with the same buttons."
    ),
    "lead_link": N_("Link for the team lead"),
    "lead_link_for": N_("Make a personal link for team lead {name}"),
    "lead_link_made": N_("Send {name} this link: it shows their team on the day."),
    "due_title": N_("Due within 30 minutes and not arrived ({count})"),
    "nobody_due": N_("Nobody is due in the next 30 minutes."),
    "starts_in": N_("starts in {minutes} min"),
    "started_ago": N_("started {minutes} min ago"),
    "tally": N_("Due {due} · confirmed {confirmed} · arrived {arrived} · no-show {absent}"),
    "not_yet_day": N_("Arrivals can be recorded on the day of the service or after."),
    "mark_as": N_("Record {name} as {status}"),
    "correct_reason": N_("Why does the record change? (required)"),
    "correct": N_("Correct it"),
    "correct_to": N_("Correct the record of {name} to {status}"),
    "attendance_recorded": N_("Recorded: {name}, {status}."),
    "attendance_corrected": N_("Corrected: {name}, {status}."),
    "not_recorded": N_("not recorded"),
    "no_assignments_on_day": N_("No assignment on this day."),
    # the participation ledger
    "ledger_title": N_("Participation ledger of {name}"),
    "ledger_help": N_(
        "Hours and points from what really happened (attendance and the service history), "
        "the early-warning list and the department report."
    ),
    "period": N_("Period"),
    "period_help": N_("Leave both dates empty for every record."),
    "ledger_period": N_("{start} to {end}; {warned} on the early-warning list"),
    "ranking_title": N_("Points ranking"),
    "warnings_title": N_("Early warnings ({count})"),
    "departments_title": N_("Department report"),
    "chart_title": N_("Departments compared"),
    "chart_alt": N_("Chart of each department's hours and points in the period"),
    "download_ledger": N_("Download the ledger (.xlsx)"),
    "certificate": N_("Certificate"),
    "certificate_for": N_("Service record certificate of {name} (PDF)"),
    "show_all_rows": N_("Show all {count}"),
    "no_warnings": N_("Nobody is on the early-warning list."),
    "no_ledger_rows": N_("No record in this period."),
    # what-if runs: scenarios compared with the base (docs/whatif.md)
    "whatif_title": N_("What if: {name}"),
    "whatif_help": N_(
        "Write down what might change (volunteers who do not come, a department away, a "
        "need added or changed). Each scenario is planned beside the roster as it is (the "
        "base) and compared with it."
    ),
    "scenarios_toml": N_("Scenarios (TOML text)"),
    "whatif_format_help": N_(
        "One [[scenarios]] block per scenario: its name and its changes (remove, away, "
        "add_needs, change_needs ...), as described in docs/whatif.md. Edit the example or "
        "paste a scenarios file."
    ),
    "whatif_example_noshow": N_("A fifth of the volunteers do not come"),
    "whatif_example_away": N_("All of {department} away"),
    "start_whatif": N_("Compare the scenarios"),
    "whatif_reset_example": N_("Back to the example"),
    "whatif_viewer": N_("Only coordinators and admins can start a what-if run."),
    "whatif_mistakes": N_("Mistakes in the scenarios, by their place in the text:"),
    "whatif_running": N_("What-if run #{id} ..."),
    "whatif_queue_help": N_(
        "The base and each scenario are planned in turn, in the same queue as rosters."
    ),
    "whatif_failed": N_("What-if run #{id} ended without a comparison ({status}). {error}"),
    "comparison_title": N_("What-if run #{id}: each scenario beside the base"),
    "whatif_stable": N_(
        "Each scenario keeps the base roster where it can: the assignments changed are "
        "the people to tell."
    ),
    "whatif_fresh": N_(
        "Each scenario is planned afresh: the assignments changed compare two separate plans."
    ),
    "scenario": N_("Scenario"),
    "weighted_coverage": N_("Coverage weighted by priority"),
    "staffed_by_priority": N_("Staffed by priority"),
    "priority_staffed": N_("P{priority} {staffed}/{needs}"),
    "unmet_needs": N_("Needs unmet"),
    "must_cover_unmet": N_("Must-cover needs unmet"),
    "volunteers_serving": N_("Volunteers serving"),
    "most_shifts": N_("Most shifts of one volunteer"),
    "load_spread": N_("Gini of shifts"),
    "assignments_changed": N_("Assignments changed"),
    "changes_count": N_("{added} added, {removed} removed; {people} volunteers to tell"),
    "not_built_why": N_("Why it did not run"),
    "unmet_by_run": N_("Needs not covered, and why"),
    "changes_by_run": N_("Assignments changed against the base"),
    "run_count": N_("{name} ({count})"),
    "no_gaps_in_run": N_("Every need is staffed in this run."),
    "assigned_of_min": N_("{assigned} assigned of at least {min}"),
    "no_changes": N_("Nobody's plan changes."),
    "download_whatif": N_("Download the comparison (.xlsx)"),
    "whatif_chart_title": N_("Each scenario beside the base"),
    "whatif_chart_alt": N_(
        "Chart of each scenario beside the base: needs staffed, needs unmet by priority "
        "and volunteers whose plan changes"
    ),
    # one-to-one support: a primary volunteer and a backup per household (结对帮扶)
    "pairing_title": N_("One-to-one support: {name}"),
    "pairing_help": N_(
        "Each household with one-to-one support gets a primary volunteer and a backup who "
        "visit it through the term. A new pairing keeps the last one wherever it may: a pair "
        "changes only when it must."
    ),
    "new_pairing": N_("Pair the households"),
    "new_pairing_help": N_(
        "Run it again when volunteers leave or households join; the changes are listed "
        "with their reasons."
    ),
    "term_weeks": N_("Term (weeks)"),
    "pair_afresh": N_("Pair afresh, ignoring the last pairing"),
    "start_pairing": N_("Start pairing"),
    "no_pairing_yet": N_("No pairing started on this page yet."),
    "pairing_running": N_("Pairing #{id}:"),
    "pairing_failed": N_("Pairing #{id} ended without pairs ({status}). {error}"),
    "pairing_result": N_("Pairing #{id}"),
    "pairing_counts": N_(
        "{paired} of {households} households paired, {backup} with a backup; "
        "{unpaired} unpaired; {changes} changes"
    ),
    "download_pairing": N_("Download the pairs (.xlsx)"),
    "download_unpaired": N_("Unpaired households (CSV)"),
    "download_changes": N_("Changes (CSV)"),
    "unpaired_title": N_("Households without a pair ({count})"),
    "missing_role": N_("no {role}"),
    "everyone_paired": N_("Every household has its pair."),
    "pairing_changes_title": N_("Changes against the previous pairing ({count})"),
    "continuity_title": N_("Continuity over the term"),
    "continuity_help": N_(
        "If the planned visits go ahead: the share made by the primary and how many "
        "different volunteers each household meets (fewer is better)."
    ),
    "continuity_visits": N_("Visits"),
    "continuity_by_primary": N_("By the primary"),
    "continuity_people": N_("Volunteers met"),
    "pairing_role": N_("Role"),
    "before": N_("Before"),
    "after": N_("Now"),
    "reason": N_("Reason"),
    "no_pairing_changes": N_("No pair changed."),
    "first_pairing": N_("The first pairing of this dataset: nothing to compare with."),
    "pairs_title": N_("Pairs ({count})"),
    "pair_household": N_("Household"),
    "primary": N_("Primary"),
    "backup": N_("Backup"),
    "kept": N_("Kept"),
    "fit": N_("Fit"),
    "fit_terms": N_("fit {fit} · preference {preference} · travel {travel}"),
    # keys (admins)
    "keys": N_("API keys"),
    "new_key": N_("Make a key"),
    "key_help": N_(
        "Viewers read (phones and addresses masked), coordinators also upload, plan and "
        "publish, admins also manage keys. The key is shown once."
    ),
    "role": N_("Role"),
    "key_label": N_("Whose key"),
    "make_key": N_("Make the key"),
    "key_made": N_("Key for {label} made. Copy it now; it cannot be shown again:"),
    "key_prefix": N_("Key"),
    "created": N_("Made"),
    "revoke": N_("Revoke"),
    "revoke_key": N_("Revoke the key of {label}"),
    "revoked_at": N_("revoked {when}"),
    "key_revoked": N_("The key of {label} is revoked."),
}
"""The page's texts by the key the script names them with."""

_SOLVER_STATUS = {
    "OPTIMAL": N_("best possible"),
    "FEASIBLE": N_("good, not proven best"),
    "INFEASIBLE": N_("impossible"),
    "UNKNOWN": N_("no roster found in time"),
}

_STAGES = {
    "greedy": N_("first roster"),
    "coverage": N_("covering needs"),
    "wishes": N_("households' wishes"),
    "soft": N_("fairness and preferences"),
}

_REQUEST_KINDS = {
    "request": N_("resident's request"),
    "micro_wish": N_("micro-wish"),
}

LABELS: dict[str, Mapping[str, str]] = {
    "need_category": {
        NeedCategory.REPAIR_APPLIANCE: N_("appliance repair"),
        NeedCategory.REPAIR_VEHICLE: N_("bicycle and car repair"),
        NeedCategory.ELDERLY_CARE: N_("elderly care"),
        NeedCategory.HAIRCUT: N_("haircuts"),
        NeedCategory.TUTORING: N_("tutoring"),
        NeedCategory.CLEAN_UP: N_("clean-up"),
        NeedCategory.PUBLICITY: N_("publicity"),
        NeedCategory.CULTURE: N_("culture"),
        NeedCategory.MICRO_WISH: N_("micro-wish"),
        NeedCategory.OTHER: N_("other need"),
    },
    "household_category": {
        HouseholdCategory.ELDERLY_ALONE: N_("elderly living alone"),
        HouseholdCategory.FAMILY_IN_DIFFICULTY: N_("family in difficulty"),
        HouseholdCategory.DISABLED: N_("disabled member"),
        HouseholdCategory.LEFT_BEHIND_CHILD: N_("left-behind child"),
        HouseholdCategory.OTHER: N_("other household"),
    },
    "membership": {
        Membership.PARTY: N_("party member"),
        Membership.PROBATIONARY: N_("probationary party member"),
        Membership.ACTIVIST: N_("party activist"),
        Membership.LEAGUE: N_("league member"),
        Membership.NONE: N_("the public"),
    },
    "volunteer_role": {
        Role.TEACHER: N_("teacher"),
        Role.STUDENT: N_("student"),
        Role.STAFF: N_("staff"),
        Role.RESIDENT: N_("resident"),
    },
    "job_status": STATUS_NAMES,
    "proposal_state": STATE_NAMES,
    "key_role": ROLE_NAMES,
    "solver_status": _SOLVER_STATUS,
    "stage": _STAGES,
    "request_state": REQUEST_STATE_NAMES,
    "request_kind": _REQUEST_KINDS,
    "attendance_status": ATTENDANCE_NAMES,
    # a what-if run's state, in the words of the comparison workbook
    "whatif_state": {
        "ok": N_("solved"),
        "invalid": N_("not built"),
        "no_roster": N_("no roster"),
    },
    "change_kind": CHANGE_WORDS,
    "pairing_role": {"primary": N_("primary"), "backup": N_("backup")},
}
"""Words for the codes in the API's answers, by kind of code."""


def page_texts(lang: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The page's texts and labels translated into ``lang``.

    Parameters
    ----------
    lang
        ``zh`` or ``en``.

    Returns
    -------
    tuple
        The texts by key, and the labels by kind and code.
    """
    with use_language(lang):
        texts = {key: _(message) for key, message in TEXTS.items()}
        labels = {
            kind: {str(code): _(message) for code, message in table.items()}
            for kind, table in LABELS.items()
        }
    return texts, labels
