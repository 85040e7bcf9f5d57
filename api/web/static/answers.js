/* The Answers tab: the published roster's proposals, recorded answers, replacements
 * and personal links. */

import { SHOWN_ROWS, act, api, can, currentDataset, day, everyRow, field, h, label, planOfRecord, render, stamp, state, t, table, toast } from "./core.js";

export async function paintAnswers(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  const plan = await planOfRecord(dataset);
  main.append(h("h2", { text: t("answers_title", { name: dataset.name }) }));
  if (!plan) {
    main.append(h("p", { class: "notice", text: t("nothing_published") }));
    return;
  }
  main.append(h("p", { class: "muted", text: t("answers_help", { id: plan.id, when: stamp(plan.published_at) }) }));
  const { items } = await everyRow(`/rosters/${plan.id}/proposals`);
  const f = state.filters;
  const counts = {};
  for (const p of items) counts[p.state] = (counts[p.state] || 0) + 1;
  const states = ["proposed", "confirmed", "declined", "replaced", "cancelled"];
  const list = h("div", { id: "proposals" });
  const search = h("input", {
    id: "answers-search",
    type: "search",
    value: f.answersSearch || "",
    oninput: (e) => {
      f.answersSearch = e.target.value;
      draw();
    },
  });
  const stateButtons = h(
    "div",
    { class: "answers-filter", role: "group", "aria-label": t("state") },
    [""].concat(states).map((s) =>
      h("button", {
        type: "button",
        "aria-pressed": String((f.answersState || "") === s),
        text: s ? `${label("proposal_state", s)} ${counts[s] || 0}` : `${t("all")} ${items.length}`,
        onclick: (e) => {
          f.answersState = s;
          stateButtons.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === e.target)));
          draw();
        },
      }),
    ),
  );
  main.append(h("section", { class: "panel" }, stateButtons, field(t("search_answers"), search)), list);
  const draw = () => {
    const words = (f.answersSearch || "").trim().toLowerCase();
    const shown = items
      .filter((p) => !f.answersState || p.state === f.answersState)
      .filter((p) => !words || `${p.volunteer_name} ${p.volunteer_id} ${p.need_title} ${p.need_id}`.toLowerCase().includes(words))
      .sort((a, b) => `${a.date || "9"}${a.start || ""}${a.need_id}`.localeCompare(`${b.date || "9"}${b.start || ""}${b.need_id}`));
    list.replaceChildren(
      table(
        [
          { label: t("need"), get: (p) => `${p.need_title || p.need_id} (${p.need_id})` },
          { label: t("when"), get: (p) => `${p.date ? day(p.date) : t("any_day")} ${p.start ? `${p.start}–${p.end}` : ""}`.trim() },
          {
            label: t("volunteer"),
            get: (p) => h("span", {}, `${p.volunteer_name} ${p.volunteer_id}`, p.role === "lead" ? h("span", { class: "badge lead", text: t("badge_lead") }) : null, p.phone ? h("span", { class: "dept", text: ` ${p.phone}` }) : null),
          },
          { label: t("state"), get: (p) => h("span", { class: `badge ${p.state}`, text: p.state_name }) },
          { label: t("actions"), get: (p) => proposalActions(p, dataset) },
        ],
        shown.slice(0, SHOWN_ROWS * 2),
        t("rows_shown", { shown: Math.min(shown.length, SHOWN_ROWS * 2), matching: shown.length, total: items.length }),
      ),
    );
  };
  draw();
}

function proposalActions(p, dataset) {
  const box = h("div", { class: "actions", "data-proposal": p.id });
  const who = `${p.volunteer_name} ${p.need_title}`;
  if (can("coordinator")) {
    const answer = (verb) => (e) =>
      act(e.target, async () => {
        await api("POST", `/proposals/${p.id}/${verb}`, { json: { note: "" } });
        toast(verb === "confirm" ? t("recorded_confirm", { name: p.volunteer_name }) : t("recorded_decline", { name: p.volunteer_name }));
        await render();
      });
    if (p.state === "proposed") {
      box.append(h("button", { type: "button", class: "ok", text: t("record_confirm"), "aria-label": t("record_confirm_for", { who }), onclick: answer("confirm") }));
    }
    if (p.state === "proposed" || p.state === "confirmed") {
      box.append(h("button", { type: "button", class: "danger", text: t("record_decline"), "aria-label": t("record_decline_for", { who }), onclick: answer("decline") }));
    }
    if (p.state === "declined") {
      box.append(h("button", { type: "button", class: "primary", text: t("find_replacement"), "aria-label": t("find_replacement_for", { who }), onclick: (e) => act(e.target, () => showReplacements(p, box)) }));
    }
    if (p.state === "proposed" || p.state === "confirmed") {
      box.append(
        h("button", {
          type: "button",
          text: t("personal_link"),
          "aria-label": t("personal_link_for", { name: p.volunteer_name }),
          onclick: (e) =>
            act(e.target, async () => {
              const made = await api("POST", `/datasets/${dataset.id}/volunteers/${encodeURIComponent(p.volunteer_id)}/personal-link`);
              const url = new URL(made.url, location.origin).href;
              box.append(h("p", { class: "notice" }, t("personal_link_made", { name: p.volunteer_name }), " ", h("a", { href: made.url, target: "_blank", rel: "noopener noreferrer", class: "personal-link", text: url })));
            }),
        }),
      );
    }
  }
  return box;
}

async function showReplacements(p, box) {
  const list = await api("GET", `/proposals/${p.id}/replacements`);
  const panel = h("div", { class: "replacements" });
  if (!list.candidates.length) panel.append(h("p", { class: "notice", text: t("no_candidates") }));
  else {
    panel.append(
      h("strong", { text: t("candidates_ranked") }),
      h(
        "ol",
        { class: "candidates" },
        list.candidates.map((c) =>
          h(
            "li",
            {},
            h("b", { text: c.name }),
            ` ${c.volunteer_id} `,
            h("span", { class: "dept", text: c.department }),
            h("div", { class: "muted", text: `${c.why} · ${t("holds", { count: c.proposals, minutes: c.minutes })}` }),
            h("div", {
              class: "muted",
              text: `${c.last_served ? t("last_served", { date: c.last_served }) : t("never_served")} · ${t("asked_recently", { count: c.asked_recently })}`,
            }),
            h("button", {
              type: "button",
              class: "primary",
              text: t("give_to", { name: c.name }),
              onclick: (e) =>
                act(e.target, async () => {
                  await api("POST", `/proposals/${p.id}/replace`, { json: { volunteer_id: c.volunteer_id, note: "" } });
                  toast(t("replaced_by", { name: c.name }));
                  await render();
                }),
            }),
          ),
        ),
      ),
    );
  }
  if (list.nearest_out.length) {
    panel.append(
      h("strong", { text: t("nearest_out") }),
      h("ul", {}, list.nearest_out.map((c) => h("li", {}, h("b", { text: c.name }), ` ${c.volunteer_id} `, h("span", { class: "dept", text: c.department }), `：${c.why}`))),
    );
  }
  box.append(panel);
}
