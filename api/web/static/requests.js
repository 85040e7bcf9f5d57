/* The Requests tab: residents' requests and micro-wishes (微心愿), 点单 -> 审核 -> 派单 -> 接单 -> 评单.
 *
 * The community worker enters what a resident asked for, reviews it, dispatches it as a
 * need of the dataset (the next roster staffs it) and, after the service, records the
 * resident's rating. Taken (接单) and served are read by the API from the plan of record
 * and attendance. Each form shows the API's complaints next to its fields. */

import { act, api, can, clearProblems, currentDataset, datasetRows, day, everyRow, go, h, label, option, problemField, showProblems, state, t, toast } from "./core.js";

const STATES = ["submitted", "accepted", "dispatched", "closed", "rejected"];

export async function paintRequests(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  main.append(h("h2", { id: "requests-title", text: t("requests_title", { name: dataset.name }) }), h("p", { class: "muted", text: t("requests_help") }));
  const list = h("section", { class: "panel", id: "requests", "aria-labelledby": "requests-title" });
  const { items: households } = await datasetRows("households");
  const view = { dataset, list, households, addresses: new Map(households.map((x) => [x.id, x.address || ""])), items: [] };
  view.reload = async () => {
    view.items = (await everyRow(`/datasets/${dataset.id}/requests`)).items;
    await drawList(view);
  };
  const form = can("coordinator") ? await requestForm(view) : null;
  if (form) main.append(form);
  main.append(list);
  await view.reload();
  if (form && !view.items.length) form.open = true; // nothing entered yet: start there
}

/** Names of volunteers by id, loaded only when a request names someone. */
async function volunteerNames(items) {
  if (!items.some((r) => r.taken_by.length || r.served_by.length)) return new Map();
  const { items: volunteers } = await datasetRows("volunteers");
  return new Map(volunteers.map((v) => [v.id, v.name]));
}

async function requestForm(view) {
  const { dataset } = view;
  const horizon = dataset.horizon || {};
  const { households } = view;
  const fields = {};
  const kind = h("select", { id: "request-kind" }, ["request", "micro_wish"].map((k) => option(k, label("request_kind", k))));
  const category = h("select", { id: "request-category" }, Object.keys(state.labels.need_category || {}).map((c) => option(c, label("need_category", c))));
  kind.addEventListener("change", () => {
    if (kind.value === "micro_wish") category.value = "micro-wish";
  });
  const title = h("input", { id: "request-title", type: "text", maxlength: 500 });
  const household = h(
    "select",
    { id: "request-household" },
    option("", t("no_household")),
    households.map((x) => option(x.id, `${x.id} ${x.address || ""}`.trim())),
  );
  const requester = h("input", { id: "request-requester", type: "text", maxlength: 200 });
  const phone = h("input", { id: "request-phone", type: "tel", maxlength: 40 });
  const date = h("input", { id: "request-date", type: "date", min: horizon.start, max: horizon.end });
  const start = h("input", { id: "request-start", type: "time" });
  const end = h("input", { id: "request-end", type: "time" });
  const duration = h("input", { id: "request-duration", type: "number", min: 5, max: 1440, step: 5, value: "60" });
  const volunteers = h("input", { id: "request-volunteers", type: "number", min: 1, max: 50, step: 1, value: "1" });
  const description = h("textarea", { id: "request-description", maxlength: 2000, rows: 2 });
  const problems = h("div", { class: "error", id: "request-problems", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      // the API checks every field and answers in the page's language; the browser's own
      // checks would speak the browser's language instead
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const body = {
          kind: kind.value,
          title: title.value.trim(),
          category: category.value,
          household_id: household.value || null,
          requester: requester.value.trim(),
          phone: phone.value.trim(),
          wanted_date: date.value || null,
          wanted_start: start.value || null,
          wanted_end: end.value || null,
          description: description.value.trim(),
        };
        if (duration.value !== "") body.duration = Number(duration.value);
        if (volunteers.value !== "") body.volunteers = Number(volunteers.value);
        await act(form.querySelector("button[type=submit]"), async () => {
          try {
            const made = await api("POST", `/datasets/${dataset.id}/requests`, { json: body });
            clearProblems(problems, fields);
            form.reset();
            toast(t("request_entered", { id: made.id, title: made.title }));
            await view.reload();
          } catch (error) {
            showProblems(problems, fields, error);
          }
        });
      },
    },
    h(
      "div",
      { class: "row" },
      problemField(fields, "kind", t("request_kind"), kind),
      problemField(fields, "title", t("request_title"), title, "grow"),
      problemField(fields, "category", t("category"), category),
    ),
    h(
      "div",
      { class: "row" },
      problemField(fields, "household_id", t("household"), household, "grow"),
      problemField(fields, "requester", t("requester"), requester, "grow"),
      problemField(fields, "phone", t("phone"), phone, "grow"),
    ),
    h(
      "div",
      { class: "row" },
      problemField(fields, "wanted_date", t("wanted_date"), date),
      problemField(fields, "wanted_start", t("start_time"), start),
      problemField(fields, "wanted_end", t("end_time"), end),
      problemField(fields, "duration", t("duration_minutes"), duration),
      problemField(fields, "volunteers", t("volunteers_needed"), volunteers),
    ),
    problemField(fields, "description", t("details"), description),
    problems,
    h("p", {}, h("button", { type: "submit", class: "primary", id: "request-submit", text: t("enter_request") })),
  );
  return h("details", { class: "panel new-request", id: "new-request" }, h("summary", { id: "new-request-title", text: t("new_request") }), form);
}

async function drawList(view) {
  const { list, items } = view;
  const f = state.filters;
  const counts = {};
  for (const r of items) counts[r.state] = (counts[r.state] || 0) + 1;
  const names = await volunteerNames(items);
  const shown = items.filter((r) => !f.requestState || r.state === f.requestState);
  const buttons = h(
    "div",
    { class: "answers-filter", role: "group", "aria-label": t("state") },
    [""].concat(STATES).map((s) =>
      h("button", {
        type: "button",
        "data-state": s || "all",
        "aria-pressed": String((f.requestState || "") === s),
        text: s ? `${label("request_state", s)} ${counts[s] || 0}` : `${t("all")} ${items.length}`,
        onclick: () => {
          f.requestState = s;
          drawList(view);
        },
      }),
    ),
  );
  list.replaceChildren(
    buttons,
    shown.length ? h("div", { class: "request-list" }, shown.map((r) => requestCard(r, view, names))) : h("p", { class: "muted", text: t("no_requests") }),
  );
}

/** The five steps of a request, each done, current or still to come. */
function steps(r) {
  const reached = {
    submitted: 1,
    accepted: 2,
    rejected: 2,
    dispatched: r.taken_by.length ? 4 : 3,
    closed: 5,
  }[r.state];
  const names = [t("step_entered"), t("step_reviewed"), t("step_dispatched"), t("step_taken"), t("step_rated")];
  return h(
    "ol",
    { class: "steps", "aria-label": t("steps") },
    names.map((name, i) => {
      const done = i < reached;
      const stopped = r.state === "rejected" && i === 1;
      return h("li", { class: stopped ? "stopped" : done ? "done" : null, "aria-current": i === reached - 1 ? "step" : null, text: stopped ? label("request_state", "rejected") : name });
    }),
  );
}

function requestCard(r, view, names) {
  const who = (ids) => (ids.length ? ids.map((id) => `${names.get(id) || ""} ${id}`.trim()).join("、") : t("nobody_yet"));
  const when = r.wanted_date || r.wanted_start ? `${r.wanted_date ? day(r.wanted_date) : t("any_day")} ${r.wanted_start ? `${r.wanted_start}–${r.wanted_end || ""}` : ""}`.trim() : "";
  const facts = [
    [t("category"), label("need_category", r.category)],
    [t("household"), r.household_id ? `${r.household_id} ${view.addresses.get(r.household_id) || ""}`.trim() : ""],
    [t("requester"), [r.requester, r.phone].filter(Boolean).join(" ")],
    [t("when"), when],
    [t("volunteers_needed"), String(r.volunteers)],
    [t("duration_minutes"), String(r.duration)],
    [t("review_note"), r.review_note],
    [t("need"), r.need_id || ""],
    [t("taken_by"), r.state === "dispatched" || r.state === "closed" ? who(r.taken_by) : ""],
    [t("served_by"), r.state === "dispatched" || r.state === "closed" ? who(r.served_by) : ""],
    [t("rating"), r.rating ? t("rating_value", { value: r.rating }) : ""],
    [t("feedback"), r.feedback],
  ].filter(([, value]) => value);
  const card = h(
    "article",
    { class: `request ${r.state}`, "data-request": r.id, "aria-label": `${r.title} #${r.id}` },
    h(
      "h4",
      {},
      r.title,
      " ",
      h("span", { class: "muted", text: `#${r.id}` }),
      r.kind === "micro_wish" ? h("span", { class: "badge wish", text: label("request_kind", r.kind) }) : null,
      h("span", { class: `badge req-${r.state}`, text: r.state_name }),
    ),
    steps(r),
    r.description ? h("p", { class: "description", text: r.description }) : null,
    h("dl", { class: "facts" }, facts.map(([name, value]) => [h("dt", { text: name }), h("dd", { text: value })])),
  );
  if (can("coordinator")) card.append(requestActions(r, view));
  return card;
}

function requestActions(r, view) {
  const box = h("div", { class: "request-actions" });
  const slot = h("div", { class: "request-form" });
  const moved = async (answer) => {
    toast(t("request_moved", { id: answer.id, state: answer.state_name }));
    await view.reload();
  };
  if (r.state === "submitted") {
    const fields = {};
    const note = h("input", { id: `review-note-${r.id}`, type: "text", maxlength: 2000 });
    const problems = h("div", { class: "error", role: "alert", hidden: true });
    const review = (accept) => (e) =>
      act(e.target, async () => {
        try {
          await moved(await api("POST", `/requests/${r.id}/review`, { json: { accept, note: note.value.trim() } }));
        } catch (error) {
          await refused(view, r, problems, fields, error);
        }
      });
    box.append(
      problemField(fields, "note", t("note"), note),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "ok", text: t("accept_request"), "aria-label": t("accept_request_for", { title: r.title }), onclick: review(true) }),
        h("button", { type: "button", class: "danger", text: t("reject_request"), "aria-label": t("reject_request_for", { title: r.title }), onclick: review(false) }),
      ),
      problems,
    );
    return box;
  }
  const toggles = h("div", { class: "actions" });
  if (r.state === "accepted" || r.state === "dispatched") {
    toggles.append(
      h("button", {
        type: "button",
        class: r.state === "accepted" ? "primary" : null,
        text: r.state === "accepted" ? t("dispatch") : t("dispatch_again"),
        "aria-label": t("dispatch_for", { title: r.title }),
        "aria-expanded": "false",
        onclick: (e) => toggle(e.target, slot, () => dispatchForm(r, view)),
      }),
    );
  }
  if (r.state === "dispatched") {
    toggles.append(
      h("button", {
        type: "button",
        class: "primary",
        text: t("rate"),
        "aria-label": t("rate_for", { title: r.title }),
        "aria-expanded": "false",
        onclick: (e) => toggle(e.target, slot, () => rateForm(r, view)),
      }),
    );
  }
  if (r.state === "dispatched" && !r.taken_by.length) {
    // nobody has confirmed its need yet: the next roster staffs it
    toggles.append(h("button", { type: "button", class: "link", text: t("new_roster"), onclick: () => go("plan") }));
  }
  if (toggles.childElementCount) box.append(toggles, slot);
  return box;
}

/**
 * The API refused a step: a 422 stands under its fields; a 409 means the request moved on
 * meanwhile (another coordinator, another tab), so the list is read again and the API's
 * words stand on the request's card, over what can be done now.
 */
async function refused(view, r, problems, fields, error) {
  if (error.status !== 409) {
    showProblems(problems, fields, error);
    return;
  }
  await view.reload();
  let card = view.list.querySelector(`[data-request="${r.id}"]`);
  if (!card) {
    // it left the state the list is filtered by: show every state
    state.filters.requestState = "";
    await drawList(view);
    card = view.list.querySelector(`[data-request="${r.id}"]`);
  }
  if (card) card.querySelector(".steps").after(h("p", { class: "error conflict", role: "alert", text: error.message }));
  else toast(error.message, true);
}

/** Open a form under a button, or close it when it is already open. */
function toggle(button, slot, make) {
  const open = button.getAttribute("aria-expanded") === "true";
  button.parentElement.querySelectorAll("[aria-expanded]").forEach((b) => b.setAttribute("aria-expanded", "false"));
  if (open) {
    slot.replaceChildren();
    return;
  }
  button.setAttribute("aria-expanded", "true");
  slot.replaceChildren(make());
  const first = slot.querySelector("input, select, textarea");
  if (first) first.focus();
}

function dispatchForm(r, view) {
  const horizon = view.dataset.horizon || {};
  const fields = {};
  const date = h("input", { id: `dispatch-date-${r.id}`, type: "date", min: horizon.start, max: horizon.end, value: r.wanted_date || "" });
  const start = h("input", { id: `dispatch-start-${r.id}`, type: "time", value: r.wanted_start || "" });
  const end = h("input", { id: `dispatch-end-${r.id}`, type: "time", value: r.wanted_end || "" });
  const priority = h("select", { id: `dispatch-priority-${r.id}` }, [5, 4, 3, 2, 1].map((p) => option(p, String(p), p === 3)));
  const location = h("input", { id: `dispatch-location-${r.id}`, type: "text", maxlength: 200 });
  const mustCover = h("input", { id: `dispatch-must-${r.id}`, type: "checkbox" });
  const problems = h("div", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const body = { priority: Number(priority.value), must_cover: mustCover.checked, location: location.value.trim() };
        if (date.value) body.date = date.value;
        if (start.value) body.start = start.value;
        if (end.value) body.end = end.value;
        await act(form.querySelector("button[type=submit]"), async () => {
          try {
            const answer = await api("POST", `/requests/${r.id}/dispatch`, { json: body });
            // the dispatch added a need: the roster pages read the needs afresh
            state.cache.delete(`${view.dataset.id}/needs`);
            toast(t("request_dispatched", { need: answer.need_id }));
            await view.reload();
          } catch (error) {
            await refused(view, r, problems, fields, error);
          }
        });
      },
    },
    h("p", { class: "muted", text: t("dispatch_help") }),
    h(
      "div",
      { class: "row" },
      problemField(fields, "date", t("day"), date),
      problemField(fields, "start", t("start_time"), start),
      problemField(fields, "end", t("end_time"), end),
      problemField(fields, "priority", t("priority"), priority),
      problemField(fields, "location", t("place"), location, "grow"),
    ),
    h("label", { class: "check" }, mustCover, h("span", { text: t("must_cover") })),
    problems,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary", id: `dispatch-submit-${r.id}`, text: t("dispatch") }),
      h("button", { type: "button", text: t("cancel"), onclick: () => view.reload() }),
    ),
  );
  return form;
}

function rateForm(r, view) {
  const fields = {};
  const rating = h("select", { id: `rate-rating-${r.id}` }, option("", "–"), [5, 4, 3, 2, 1].map((v) => option(v, t("rating_value", { value: v }))));
  const feedback = h("textarea", { id: `rate-feedback-${r.id}`, maxlength: 2000, rows: 2 });
  const problems = h("div", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const body = { rating: rating.value ? Number(rating.value) : null, feedback: feedback.value.trim() };
        await act(form.querySelector("button[type=submit]"), async () => {
          try {
            const answer = await api("POST", `/requests/${r.id}/rate`, { json: body });
            toast(t("request_moved", { id: answer.id, state: answer.state_name }));
            await view.reload();
          } catch (error) {
            await refused(view, r, problems, fields, error);
          }
        });
      },
    },
    h("div", { class: "row" }, problemField(fields, "rating", t("rating"), rating), problemField(fields, "feedback", t("feedback"), feedback, "grow")),
    problems,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary", id: `rate-submit-${r.id}`, text: t("rate") }),
      h("button", { type: "button", text: t("cancel"), onclick: () => view.reload() }),
    ),
  );
  return form;
}
