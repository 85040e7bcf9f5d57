/* The Roster tab: start and follow a solve, the roster grid, unmet needs and whom to ask,
 * filters, publishing and downloads. */

import { ACTIVE, act, api, can, currentDataset, datasetRows, day, download, field, go, h, label, number, option, percent, render, sleep, slotText, staffingText, stamp, state, t, time, toast } from "./core.js";

export async function paintPlan(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  main.append(h("h2", { text: t("plan_title", { name: dataset.name }) }));
  const jobs = (await api("GET", `/rosters?dataset_id=${dataset.id}&limit=50`)).items;
  const top = h("section", { class: "panel plan-top" });
  main.append(top);
  if (can("coordinator")) top.append(solveForm(dataset, !jobs.length));
  if (!jobs.length) {
    top.append(h("p", { class: "notice", text: t("no_rosters_yet") }));
    return;
  }
  if (!jobs.some((j) => j.id === state.rosterId)) {
    const ended = jobs.find((j) => j.status === "done" || j.status === "stopped");
    state.rosterId = (ACTIVE.includes(jobs[0].status) ? jobs[0] : ended || jobs[0]).id;
  }
  const chooser = h(
    "select",
    {
      id: "roster-choice",
      onchange: (e) => {
        state.rosterId = Number(e.target.value);
        render();
      },
    },
    jobs.map((j) => option(j.id, rosterOption(j), j.id === state.rosterId)),
  );
  top.prepend(field(t("roster"), chooser, "roster-choice"));
  const holder = h("div", { id: "roster" });
  main.append(holder);
  await followJob(state.rosterId, holder);
}

function rosterOption(job) {
  return t("roster_option", {
    id: job.id,
    status: label("job_status", job.status),
    when: stamp(job.created_at),
    published: job.published_at ? (job.superseded_at ? t("superseded") : t("published")) : "",
  }).trim();
}

function solveForm(dataset, open) {
  const horizon = dataset.horizon || {};
  const from = h("input", { id: "solve-from", type: "date", min: horizon.start, max: horizon.end, value: horizon.start });
  const to = h("input", { id: "solve-to", type: "date", min: horizon.start, max: horizon.end, value: horizon.end });
  const limit = h("input", { id: "solve-limit", type: "number", min: 1, max: 3600, step: 1, value: "30" });
  const form = h(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        await act(form.querySelector("button"), async () => {
          const body = { params: { time_limit: Number(limit.value) || 30 } };
          if (from.value || to.value) body.horizon = { from: from.value || null, to: to.value || null };
          const job = await api("POST", `/datasets/${dataset.id}/rosters`, { json: body });
          state.rosterId = job.id;
          await render();
        });
      },
    },
    h("p", { class: "muted", text: t("solve_help") }),
    h(
      "div",
      { class: "row" },
      field(t("from_date"), from),
      field(t("to_date"), to),
      field(t("time_limit"), limit),
      h("button", { type: "submit", class: "primary", id: "solve-start", text: t("start_solve") }),
    ),
  );
  return h("details", { class: "new-roster", open: Boolean(open) }, h("summary", { id: "solve-title", text: t("new_roster") }), form);
}

async function followJob(jobId, holder) {
  const ticket = state.follow;
  for (;;) {
    const job = await api("GET", `/rosters/${jobId}`);
    if (ticket !== state.follow) return;
    if (ACTIVE.includes(job.status)) {
      holder.replaceChildren(progressPanel(job));
      await sleep(700);
      if (ticket !== state.follow) return;
      continue;
    }
    holder.replaceChildren(await rosterPanel(job));
    const choice = document.querySelector(`#roster-choice option[value="${job.id}"]`);
    if (choice) choice.textContent = rosterOption(job);
    return;
  }
}

function progressPanel(job) {
  const p = job.progress || {};
  const stop = h("button", {
    type: "button",
    class: "danger",
    id: "solve-stop",
    text: t("stop"),
    disabled: job.status === "stopping",
    onclick: (e) => act(e.target, () => api("DELETE", `/rosters/${job.id}`)),
  });
  return h(
    "section",
    { class: "panel", "aria-labelledby": "progress-title", "aria-busy": "true" },
    h("h3", { id: "progress-title", text: t("solving", { id: job.id }) }),
    h(
      "div",
      { class: "progress", role: "status" },
      h("div", {}, t("status"), h("b", { text: label("job_status", job.status) })),
      h("div", {}, t("stage"), h("b", { text: p.stage ? label("stage", p.stage.replace(/_p\d+$/, "")) : "–" })),
      h("div", {}, t("best_value"), h("b", { text: number(p.objective) })),
      h("div", {}, t("bound"), h("b", { text: number(p.bound) })),
      h("div", {}, t("gap"), h("b", { text: percent(p.gap) })),
      h("div", {}, t("elapsed"), h("b", { text: t("seconds", { value: number(p.elapsed, 1) }) })),
    ),
    h("p", { class: "muted", text: t("staffed_after_solve") }),
    can("coordinator") ? stop : null,
  );
}

function staffedCounts(summary) {
  let needs = 0;
  let staffed = 0;
  for (const row of Object.values(summary.coverage_by_priority || {})) {
    needs += row.needs;
    staffed += row.staffed;
  }
  return { needs, staffed };
}

async function rosterPanel(job) {
  const box = h("div");
  if (!job.summary || !job.roster) {
    box.append(
      h("p", {
        class: "error",
        role: "alert",
        text: job.error || t("roster_without_result", { status: label("job_status", job.status) }),
      }),
    );
    return box;
  }
  const [explain, needs, volunteers] = await Promise.all([
    api("GET", `/rosters/${job.id}/explain`),
    datasetRows("needs"),
    datasetRows("volunteers"),
  ]);
  const s = job.summary;
  const { needs: needCount, staffed } = staffedCounts(s);
  box.append(
    h(
      "section",
      { class: "panel", "aria-labelledby": "summary-title" },
      h("h3", { id: "summary-title", text: t("roster_title", { id: job.id }) }),
      h(
        "div",
        { class: "headline", id: "headline" },
        h("span", {}, t("staffed_needs"), " ", h("b", { text: t("of", { part: staffed, whole: needCount }) })),
        h("span", {}, t("assignments"), " ", h("b", { text: number(s.assignments) })),
        h("span", {}, t("solver_status"), " ", h("b", { text: label("solver_status", s.status) })),
        h("span", {}, t("objective"), " ", h("b", { text: number(s.objective) })),
        h("span", {}, t("gap"), " ", h("b", { text: percent(s.gap) })),
        h("span", {}, t("runtime"), " ", h("b", { text: t("seconds", { value: number(s.runtime, 1) }) })),
      ),
      h("div", { class: "roster-actions" }, publishBlock(job, s), exportsBlock(job)),
    ),
  );
  const view = buildRoster(job, explain, needs.items, volunteers.items);
  box.append(filterBlock(view, box));
  const gaps = h("section", { class: "panel", id: "gaps", "aria-labelledby": "gaps-title" });
  const grid = h("section", { class: "panel", id: "grid", "aria-labelledby": "grid-title" });
  box.append(gaps, grid);
  view.draw = () => drawRoster(view, gaps, grid);
  view.draw();
  return box;
}

function publishBlock(job, summary) {
  const holder = h("div", { id: "publish" });
  if (job.published_at) {
    holder.append(
      h(
        "p",
        { class: "success" },
        job.superseded_at ? t("published_superseded", { when: stamp(job.published_at) }) : t("published_at", { when: stamp(job.published_at) }),
        " ",
        job.superseded_at ? null : h("button", { type: "button", class: "link", text: t("see_answers"), onclick: () => go("answers") }),
      ),
    );
    return holder;
  }
  if (!can("coordinator") || !["OPTIMAL", "FEASIBLE"].includes(summary.status)) return holder;
  const ask = h("button", { type: "button", class: "primary", id: "publish-start", text: t("publish") });
  ask.addEventListener("click", () => {
    holder.replaceChildren(
      h(
        "div",
        { class: "notice", role: "group", "aria-label": t("publish") },
        h("p", { text: t("publish_confirm") }),
        h(
          "div",
          { class: "actions" },
          h("button", {
            type: "button",
            class: "primary",
            id: "publish-yes",
            text: t("publish_now"),
            onclick: (e) =>
              act(e.target, async () => {
                const report = await api("POST", `/rosters/${job.id}/publish`);
                toast(t("published_report", { made: report.proposals_made, kept: report.proposals_kept }));
                await render();
              }),
          }),
          h("button", { type: "button", text: t("cancel"), onclick: () => holder.replaceChildren(ask) }),
        ),
      ),
    );
  });
  holder.append(ask);
  return holder;
}

function exportsBlock(job) {
  const dates = [...new Set(job.roster.map((r) => r.date).filter(Boolean))].sort();
  const dayChoice = h("select", { id: "chat-day" }, dates.map((d) => option(d, day(d))));
  const text = h("textarea", { id: "chat-text", readonly: true, hidden: true, "aria-label": t("group_chat_text") });
  const copy = h("button", {
    type: "button",
    hidden: true,
    text: t("copy"),
    onclick: async () => {
      text.select();
      try {
        await navigator.clipboard.writeText(text.value);
        toast(t("copied"));
      } catch (error) {
        document.execCommand("copy");
      }
    },
  });
  const file = (format, name) =>
    h("button", {
      type: "button",
      text: name,
      onclick: () => download(`/rosters/${job.id}/export?format=${format}`, `roster-${job.id}.${format}`),
    });
  return h(
    "div",
    { class: "exports-block", role: "group", "aria-label": t("exports") },
    h(
      "div",
      { class: "exports" },
      h("span", { class: "muted", text: t("exports") }),
      file("xlsx", t("export_xlsx")),
      file("csv", t("export_csv")),
      file("ics", t("export_ics")),
      file("book", t("export_book")),
      file("messages", t("export_messages")),
    ),
    dates.length
      ? h(
          "div",
          { class: "row" },
          field(t("group_chat_day"), dayChoice),
          h("button", {
            type: "button",
            id: "chat-show",
            text: t("show_group_chat"),
            onclick: (e) =>
              act(e.target, async () => {
                const response = await api("GET", `/rosters/${job.id}/export?format=text&date=${dayChoice.value}`, { raw: true });
                text.value = await response.text();
                text.hidden = false;
                copy.hidden = false;
              }),
          }),
          copy,
        )
      : null,
    text,
  );
}

/** The roster as needs with their teams, each marked staffed, short or unmet. */
function buildRoster(job, explain, needs, volunteers) {
  const people = new Map(volunteers.map((v) => [v.id, v]));
  const byNeed = new Map();
  for (const row of job.roster) {
    if (!byNeed.has(row.need_id)) byNeed.set(row.need_id, []);
    byNeed.get(row.need_id).push(row);
  }
  const gaps = new Map();
  for (const g of explain.short_needs) gaps.set(g.need_id, { ...g, kind: "short" });
  for (const g of explain.unmet_needs) gaps.set(g.need_id, { ...g, kind: "unmet" });
  const [first, last] = job.horizon || [null, null];
  const planned = needs.filter(
    (n) => byNeed.has(n.id) || gaps.has(n.id) || !n.date || !first || (n.date >= first && n.date <= last),
  );
  const known = new Set(planned.map((n) => n.id));
  // a need the roster names but the dataset no longer has: shown from the roster alone
  for (const [needId, rows] of byNeed) {
    if (known.has(needId)) continue;
    const r = rows[0];
    planned.push({ id: needId, title: r.need_title, date: r.date || null, start: r.start || null, end: r.end || null, min_volunteers: 1, max_volunteers: rows.length, priority: null, category: null, departments: [] });
  }
  for (const [needId, g] of gaps) {
    if (known.has(needId) || byNeed.has(needId)) continue;
    planned.push({ id: needId, title: g.title, date: null, start: null, end: null, min_volunteers: g.min_volunteers, max_volunteers: g.max_volunteers, priority: g.priority, category: g.category, departments: [] });
  }
  const items = planned.map((need) => {
    const team = (byNeed.get(need.id) || []).map((r) => ({
      ...r,
      party: ["party", "probationary"].includes((people.get(r.volunteer_id) || {}).membership),
    }));
    team.sort((a, b) => (a.role === "lead" ? 0 : 1) - (b.role === "lead" ? 0 : 1) || a.volunteer_name.localeCompare(b.volunteer_name));
    const gap = gaps.get(need.id) || null;
    const kind = gap ? gap.kind : team.length < need.min_volunteers ? "unmet" : "staffed";
    return { need, team, gap, kind };
  });
  const days = new Set(items.map((i) => i.need.date).filter(Boolean));
  const dataset = currentDataset();
  for (const d of (dataset && dataset.horizon && dataset.horizon.service_days) || []) {
    if (!first || (d >= first && d <= last)) days.add(d);
  }
  return { job, items, days: [...days].sort(), draw: null };
}

const SLOTS = ["morning", "afternoon", "evening", "anytime"];

function slotOf(need) {
  if (!need.start) return "anytime";
  const hour = Number(need.start.slice(0, 2));
  return hour < 12 ? "morning" : hour < 18 ? "afternoon" : "evening";
}

function filterBlock(view) {
  const f = state.filters;
  const departments = new Set();
  const categories = new Set();
  const priorities = new Set();
  for (const { need, team } of view.items) {
    team.forEach((m) => departments.add(m.department));
    (need.departments || []).forEach((d) => departments.add(d));
    if (need.category) categories.add(need.category);
    if (need.priority) priorities.add(need.priority);
  }
  const choice = (id, name, values, text) =>
    h(
      "select",
      {
        id,
        onchange: (e) => {
          f[name] = e.target.value;
          view.draw();
        },
      },
      option("", t("all")),
      [...values].sort((a, b) => (typeof a === "number" ? b - a : String(a).localeCompare(String(b)))).map((v) => option(v, text(v), String(f[name] || "") === String(v))),
    );
  const search = h("input", {
    id: "volunteer-search",
    type: "search",
    value: f.search || "",
    oninput: (e) => {
      f.search = e.target.value;
      view.draw();
    },
  });
  return h(
    "section",
    { class: "panel", role: "search", "aria-label": t("filters") },
    h(
      "div",
      { class: "row" },
      field(t("day"), choice("filter-day", "day", view.days, day), "grow"),
      field(t("department"), choice("filter-department", "department", departments, (d) => d), "grow"),
      field(t("category"), choice("filter-category", "category", categories, (c) => label("need_category", c)), "grow"),
      field(t("priority"), choice("filter-priority", "priority", priorities, (p) => String(p)), "grow"),
      field(t("staffing"), choice("filter-staffing", "staffing", ["unmet", "short", "staffed"], staffingText), "grow"),
      field(t("search_volunteer"), search, "grow"),
    ),
  );
}

function visible(view) {
  const f = state.filters;
  const words = (f.search || "").trim().toLowerCase();
  return view.items.filter(({ need, team, kind }) => {
    if (f.department && !team.some((m) => m.department === f.department) && !(need.departments || []).includes(f.department)) return false;
    if (f.day && need.date !== f.day) return false;
    if (f.category && need.category !== f.category) return false;
    if (f.priority && String(need.priority) !== String(f.priority)) return false;
    if (f.staffing && kind !== f.staffing) return false;
    if (words && !team.some((m) => `${m.volunteer_name} ${m.volunteer_id}`.toLowerCase().includes(words))) return false;
    return true;
  });
}

function drawRoster(view, gapsBox, gridBox) {
  const shown = visible(view);
  const gaps = shown.filter((i) => i.gap).sort((a, b) => (a.kind === "unmet" ? 0 : 1) - (b.kind === "unmet" ? 0 : 1) || (b.need.priority || 0) - (a.need.priority || 0));
  gapsBox.replaceChildren(h("h3", { id: "gaps-title", text: t("gaps_title", { count: gaps.length }) }));
  if (gaps.length) gapsBox.append(h("div", { class: "gaps" }, gaps.map((i) => needCard(i, true))));
  else gapsBox.append(h("p", { class: "muted", text: t("no_gaps") }));

  gridBox.replaceChildren(h("h3", { id: "grid-title", text: t("grid_title", { count: shown.length, total: view.items.length }) }));
  const dated = shown.filter((i) => i.need.date);
  const undated = shown.filter((i) => !i.need.date);
  if (dated.length) {
    const days = view.days.filter((d) => dated.some((i) => i.need.date === d));
    const slots = SLOTS.filter((s) => dated.some((i) => slotOf(i.need) === s));
    gridBox.append(
      h(
        "table",
        { class: "grid", "aria-labelledby": "grid-title" },
        h("colgroup", {}, h("col", { class: "slot" }), days.map(() => h("col"))),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("time_slot") }), days.map((d) => h("th", { scope: "col", text: day(d) })))),
        h(
          "tbody",
          {},
          slots.map((slot) =>
            h(
              "tr",
              {},
              h("th", { scope: "row", text: slotText(slot) }),
              days.map((d) => {
                const here = dated.filter((i) => i.need.date === d && slotOf(i.need) === slot).sort((a, b) => (a.need.start || "").localeCompare(b.need.start || ""));
                return h("td", { class: here.length ? null : "empty", "data-label": `${day(d)} · ${slotText(slot)}` }, here.map((i) => needCard(i, false)));
              }),
            ),
          ),
        ),
      ),
    );
  }
  if (undated.length) {
    gridBox.append(h("h3", { text: t("any_time_needs") }), h("div", { class: "gaps" }, undated.map((i) => needCard(i, false))));
  }
  if (!shown.length) gridBox.append(h("p", { class: "muted", text: t("nothing_matches") }));
}

function needCard(item, withReasons) {
  const { need, team, gap, kind } = item;
  const words = (state.filters.search || "").trim().toLowerCase();
  const meta = [
    need.date && !withReasons ? null : need.date ? day(need.date) : null,
    time(need),
    need.location || null,
    need.category ? label("need_category", need.category) : null,
    need.priority ? t("priority_short", { value: need.priority }) : null,
  ].filter(Boolean);
  const card = h(
    "article",
    { class: `need ${kind}`, "data-need": need.id, "aria-label": `${need.title} ${need.id}` },
    h("h3", {}, need.title, " ", h("span", { class: "muted", text: need.id }), h("span", { class: `badge ${kind}`, text: staffingText(kind) })),
    h("div", { class: "meta", text: meta.join(" · ") }),
    h("div", { class: "meta", text: t("team_count", { count: team.length, min: need.min_volunteers, max: need.max_volunteers }) }),
    team.length
      ? h(
          "ul",
          { "aria-label": t("team") },
          team.map((m) => {
            const name = words && `${m.volunteer_name} ${m.volunteer_id}`.toLowerCase().includes(words) ? h("mark", { text: m.volunteer_name }) : m.volunteer_name;
            return h(
              "li",
              {},
              name,
              " ",
              h("span", { class: "dept", text: m.department }),
              m.role === "lead" ? h("span", { class: "badge lead", text: t("badge_lead") }) : null,
              m.party ? h("span", { class: "badge party", text: t("badge_party") }) : null,
            );
          }),
        )
      : null,
  );
  if (gap && withReasons) {
    card.append(
      h(
        "div",
        { class: "why" },
        h("strong", { text: t("why") }),
        h("ul", {}, gap.reasons.map((r) => h("li", { text: r.message }))),
        gap.candidates && gap.candidates.length ? h("strong", { text: t("ask_first") }) : null,
        gap.candidates && gap.candidates.length
          ? h(
              "ul",
              { class: "ask" },
              gap.candidates.map((c) => h("li", {}, h("b", { text: c.name }), ` ${c.volunteer_id} `, h("span", { class: "dept", text: c.department }), `：${c.message}`)),
            )
          : null,
      ),
    );
  } else if (gap) {
    card.append(h("div", { class: "why" }, h("button", { type: "button", class: "link", text: t("see_why"), onclick: () => document.getElementById("gaps").scrollIntoView() })));
  }
  return card;
}
