/* The On-the-day tab: for each need of the plan of record on a day, who is due, who has
 * confirmed and who has arrived, with one tap per volunteer for arrived, late, left early or
 * no-show; a second, different tap is a correction, which asks why. On top, whoever is due
 * within 30 minutes and not arrived. Made for a phone in the hand of the coordinator; team
 * leads have the same buttons for their own team on their personal link (/me/...). */

import { act, api, can, currentDataset, day, everyRow, field, h, label, option, planOfRecord, problemField, showProblems, stamp, state, t, time, toast, today } from "./core.js";

const OPEN = ["proposed", "confirmed"];

const MARKS = ["attended", "late", "left_early", "no_show"];

const SERVED = ["attended", "late", "left_early"];

export async function paintDay(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  main.append(h("h2", { text: t("day_title", { name: dataset.name }) }));
  const plan = await planOfRecord(dataset);
  if (!plan) {
    main.append(h("p", { class: "notice", text: t("nothing_published") }));
    return;
  }
  main.append(
    h("p", { class: "muted", text: t("day_help", { id: plan.id, when: stamp(plan.published_at) }) }),
    h("p", { class: "notice", text: t("lead_link_help") }),
  );
  const proposals = (await everyRow(`/rosters/${plan.id}/proposals`)).items.filter((p) => OPEN.includes(p.state));
  const view = {
    dataset,
    plan,
    proposals,
    byId: new Map(proposals.map((p) => [p.id, p])),
    records: new Map(),
    due: [],
    controls: h("section", { class: "panel", id: "day-controls", "aria-label": t("filters") }),
    dueBox: h("section", { class: "panel", id: "due", "aria-labelledby": "due-title" }),
    needsBox: h("section", { id: "day-needs" }),
  };
  view.refresh = async () => {
    const [records, due] = await Promise.all([
      api("GET", `/rosters/${plan.id}/attendance`),
      api("GET", `/rosters/${plan.id}/attendance/due?within=30`),
    ]);
    view.records = new Map(records.filter((r) => r.current).map((r) => [r.proposal_id, r.current]));
    view.due = due;
    draw(view);
  };
  const dates = [...new Set(proposals.map((p) => p.date || ""))].sort((a, b) => (a || "9").localeCompare(b || "9"));
  const f = state.filters;
  if (!dates.includes(f.dayDate)) f.dayDate = defaultDate(dates);
  const choice = h(
    "select",
    {
      id: "day-date",
      onchange: (e) => {
        f.dayDate = e.target.value;
        draw(view);
      },
    },
    dates.map((d) => option(d, d ? day(d) : t("any_day"), d === f.dayDate)),
  );
  const search = h("input", {
    id: "day-search",
    type: "search",
    value: f.daySearch || "",
    oninput: (e) => {
      f.daySearch = e.target.value;
      draw(view);
    },
  });
  view.tally = h("p", { class: "headline", id: "day-tally", "aria-live": "polite" });
  view.notYet = h("p", { class: "notice", hidden: true, text: t("not_yet_day") });
  view.controls.append(h("div", { class: "row" }, field(t("day"), choice, "grow"), field(t("search_answers"), search, "grow")), view.tally, view.notYet);
  main.append(view.controls, view.dueBox, view.needsBox);
  await view.refresh();
}

/** Today when the roster has it; else the latest day already past; else the first day. */
function defaultDate(dates) {
  const now = today();
  if (dates.includes(now)) return now;
  const past = dates.filter((d) => d && d < now);
  return past.length ? past[past.length - 1] : dates[0] || "";
}

function tally(members, records) {
  const status = (p) => (records.get(p.id) || {}).status;
  return t("tally", {
    due: members.length,
    confirmed: members.filter((p) => p.state === "confirmed").length,
    arrived: members.filter((p) => SERVED.includes(status(p))).length,
    absent: members.filter((p) => status(p) === "no_show").length,
  });
}

function draw(view) {
  const f = state.filters;
  const chosen = f.dayDate || "";
  const members = view.proposals.filter((p) => (p.date || "") === chosen);
  // the ledger takes a record on the service's day or after (Beijing time)
  view.recordable = !chosen || chosen <= today();
  view.notYet.hidden = view.recordable;
  view.tally.textContent = tally(members, view.records);

  view.dueBox.replaceChildren(h("h3", { id: "due-title", text: t("due_title", { count: view.due.length }) }));
  if (view.due.length) {
    view.dueBox.append(
      h(
        "ul",
        { class: "members" },
        view.due.map((d) => {
          const p = view.byId.get(d.proposal_id) || { ...d, id: d.proposal_id, state_name: label("proposal_state", d.state) };
          const when = d.minutes_to_start >= 0 ? t("starts_in", { minutes: d.minutes_to_start }) : t("started_ago", { minutes: -d.minutes_to_start });
          return memberRow(p, view, `${d.need_title || d.need_id} ${d.start} · ${when}`);
        }),
      ),
    );
  } else {
    view.dueBox.append(h("p", { class: "muted", text: t("nobody_due") }));
  }

  const words = (f.daySearch || "").trim().toLowerCase();
  const needs = new Map();
  for (const p of members) {
    if (!needs.has(p.need_id)) needs.set(p.need_id, []);
    needs.get(p.need_id).push(p);
  }
  const cards = [...needs.values()]
    .filter((team) => !words || team.some((p) => `${p.need_title} ${p.need_id} ${p.volunteer_name} ${p.volunteer_id}`.toLowerCase().includes(words)))
    .sort((a, b) => `${a[0].start || "99"}${a[0].need_id}`.localeCompare(`${b[0].start || "99"}${b[0].need_id}`))
    .map((team) => needCard(team, view));
  view.needsBox.replaceChildren(...(cards.length ? cards : [h("p", { class: "panel muted", text: t("no_assignments_on_day") })]));
}

function needCard(team, view) {
  team.sort((a, b) => (a.role === "lead" ? 0 : 1) - (b.role === "lead" ? 0 : 1) || a.volunteer_name.localeCompare(b.volunteer_name));
  const first = team[0];
  const arrived = team.filter((p) => SERVED.includes((view.records.get(p.id) || {}).status)).length;
  const kind = arrived >= team.length ? "staffed" : arrived ? "short" : "unmet";
  const card = h(
    "article",
    { class: `need day-need ${kind}`, "data-need": first.need_id, "aria-label": `${first.need_title} ${first.need_id}` },
    h("h3", {}, first.need_title || first.need_id, " ", h("span", { class: "muted", text: first.need_id })),
    h("div", { class: "meta", text: [time(first), first.place].filter(Boolean).join(" · ") }),
    h("p", { class: "tally", text: tally(team, view.records) }),
    h("ul", { class: "members", "aria-label": t("team") }, team.map((p) => memberRow(p, view))),
  );
  const lead = team.find((p) => p.role === "lead");
  if (lead && can("coordinator")) card.append(leadLink(lead, view));
  return card;
}

function memberRow(p, view, context) {
  const record = view.records.get(p.id);
  const slot = h("div", { class: "correction" });
  const phone = p.phone && !p.phone.includes("*") ? h("a", { href: `tel:${p.phone.replace(/[^0-9+]/g, "")}`, class: "phone", text: p.phone }) : p.phone ? h("span", { class: "dept", text: p.phone }) : null;
  const row = h(
    "li",
    { class: "member", "data-proposal": p.id },
    context ? h("div", { class: "meta", text: context }) : null,
    h(
      "div",
      { class: "who" },
      h("b", { text: p.volunteer_name }),
      ` ${p.volunteer_id} `,
      p.role === "lead" ? h("span", { class: "badge lead", text: t("badge_lead") }) : null,
      h("span", { class: `badge ${p.state}`, text: p.state_name }),
      " ",
      phone,
      " ",
      record ? h("span", { class: `badge att-${record.status}`, text: label("attendance_status", record.status) }) : h("span", { class: "badge", text: t("not_recorded") }),
    ),
  );
  if (can("coordinator")) {
    const recordable = !p.date || p.date <= today();
    row.append(
      h(
        "div",
        { class: "marks", role: "group", "aria-label": p.volunteer_name },
        MARKS.map((status) => {
          const name = label("attendance_status", status);
          const pressed = record && record.status === status;
          return h("button", {
            type: "button",
            class: `mark ${status}`,
            "data-status": status,
            "aria-pressed": String(Boolean(pressed)),
            disabled: !recordable,
            text: name,
            "aria-label": record && !pressed ? t("correct_to", { name: p.volunteer_name, status: name }) : t("mark_as", { name: p.volunteer_name, status: name }),
            onclick: (e) => mark(p, status, view, slot, e.target),
          });
        }),
      ),
      slot,
    );
  }
  return row;
}

async function mark(p, status, view, slot, button) {
  const record = view.records.get(p.id);
  if (record && record.status === status) return;
  const name = label("attendance_status", status);
  if (!record) {
    await act(button, async () => {
      await api("POST", `/proposals/${p.id}/attendance`, { json: { status } });
      toast(t("attendance_recorded", { name: p.volunteer_name, status: name }));
      await view.refresh();
    });
    return;
  }
  // a different tap on a recorded assignment corrects it: the ledger keeps both, with a reason
  slot.replaceChildren(correctionForm(p, record, status, view, slot));
  slot.querySelector("input").focus();
}

function correctionForm(p, record, status, view, slot) {
  const fields = {};
  const name = label("attendance_status", status);
  const reason = h("input", { id: `reason-${p.id}`, type: "text", maxlength: 2000 });
  const problems = h("div", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        await act(form.querySelector("button[type=submit]"), async () => {
          try {
            await api("POST", `/attendance/${record.id}/correct`, { json: { status, reason: reason.value.trim() } });
            toast(t("attendance_corrected", { name: p.volunteer_name, status: name }));
            await view.refresh();
          } catch (error) {
            showProblems(problems, fields, error);
          }
        });
      },
    },
    problemField(fields, "reason", t("correct_reason"), reason),
    problems,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary", text: t("correct"), "aria-label": t("correct_to", { name: p.volunteer_name, status: name }) }),
      h("button", { type: "button", text: t("cancel"), onclick: () => slot.replaceChildren() }),
    ),
  );
  return form;
}

function leadLink(lead, view) {
  const box = h("div", { class: "lead-link" });
  box.append(
    h("button", {
      type: "button",
      text: t("lead_link"),
      "aria-label": t("lead_link_for", { name: lead.volunteer_name }),
      onclick: (e) =>
        act(e.target, async () => {
          const made = await api("POST", `/datasets/${view.dataset.id}/volunteers/${encodeURIComponent(lead.volunteer_id)}/personal-link`);
          const url = new URL(made.url, location.origin).href;
          box.replaceChildren(h("p", { class: "notice" }, t("lead_link_made", { name: lead.volunteer_name }), " ", h("a", { href: made.url, target: "_blank", rel: "noopener noreferrer", class: "personal-link", text: url })));
        }),
    }),
  );
  return box;
}
