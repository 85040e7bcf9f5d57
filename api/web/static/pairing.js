/* The Pairing tab (结对帮扶): households with one-to-one support each get a primary volunteer
 * and a backup (POST /datasets/{id}/pairings, a job in the solve queue). A new pairing keeps
 * the dataset's last one wherever it may, so the changes listed are the people to tell.
 *
 * Shown: the pairs (household, primary, backup), the households left unpaired with the
 * reason and the nearest volunteers to ask, the changes against the previous pairing, and
 * the downloads (through the API with the key in a header, saved from blob URLs). */

import { api, can, currentDataset, datasetRows, download, field, h, label, number, sleep, state, t, table } from "./core.js";

const RUNNING = ["queued", "running"];

export async function paintPairing(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  const body = h("div", { id: "pairing", "aria-live": "polite" });
  main.append(h("h2", { id: "pairing-title", text: t("pairing_title", { name: dataset.name }) }), h("p", { class: "muted", text: t("pairing_help") }));
  if (can("coordinator")) main.append(startForm(dataset, body));
  main.append(body);
  let run = state.filters.pairingRun;
  if (!run) {
    // after a reload: the dataset's latest pairing, the one in place
    const { items } = await api("GET", `/datasets/${dataset.id}/pairings?limit=1`);
    run = items.length ? items[0].id : null;
  }
  if (run) await followRun(run, body);
  else body.append(h("p", { class: "muted", text: t("no_pairing_yet") }));
}

function startForm(dataset, body) {
  const f = state.filters;
  const weeks = h("input", { id: "pairing-weeks", type: "number", min: 1, max: 104, step: 1, value: f.pairingWeeks || 12, inputmode: "numeric" });
  const limit = h("input", { id: "pairing-time-limit", type: "number", min: 1, max: 600, step: 1, value: f.pairingLimit || 10, inputmode: "numeric" });
  const fresh = h("input", { id: "pairing-fresh", type: "checkbox" });
  const problem = h("p", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      class: "panel",
      novalidate: true,
      "aria-labelledby": "pairing-form-title",
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        problem.hidden = true;
        f.pairingWeeks = weeks.value;
        f.pairingLimit = limit.value;
        try {
          const json = { fresh: fresh.checked };
          if (weeks.value) json.weeks = Number(weeks.value);
          if (limit.value) json.time_limit = Number(limit.value);
          const started = await api("POST", `/datasets/${dataset.id}/pairings`, { json });
          f.pairingRun = started.id;
          state.follow += 1; // a run followed before stops being drawn
          await followRun(started.id, body);
        } catch (error) {
          problem.hidden = false;
          problem.textContent = error.message;
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h3", { id: "pairing-form-title", text: t("new_pairing") }),
    h("p", { class: "muted", text: t("new_pairing_help") }),
    h(
      "div",
      { class: "row" },
      field(t("term_weeks"), weeks),
      field(t("time_limit"), limit),
      h("button", { type: "submit", class: "primary", id: "pairing-start", text: t("start_pairing") }),
    ),
    h("label", { class: "check" }, fresh, h("span", { text: t("pair_afresh") })),
    problem,
  );
  return form;
}

async function followRun(runId, body) {
  const ticket = state.follow;
  for (;;) {
    let run;
    try {
      run = await api("GET", `/pairings/${runId}`);
    } catch (error) {
      if (ticket !== state.follow) return;
      body.replaceChildren(h("p", { class: "error", role: "alert", text: error.message }));
      if (error.status === 404) delete state.filters.pairingRun;
      return;
    }
    if (ticket !== state.follow) return;
    if (RUNNING.includes(run.status)) {
      body.replaceChildren(
        h("section", { class: "panel", "aria-busy": "true" }, h("p", { role: "status" }, t("pairing_running", { id: run.id }), " ", h("b", { text: label("job_status", run.status) }))),
      );
      await sleep(500);
      if (ticket !== state.follow) return;
      continue;
    }
    if (run.status !== "done") {
      body.replaceChildren(h("p", { class: "error", role: "alert", text: t("pairing_failed", { id: run.id, status: label("job_status", run.status), error: run.error || "" }) }));
      return;
    }
    await drawPairing(body, run);
    return;
  }
}

/** A person or household as "name id", the id muted: two of the same name stay apart. */
function who(name, id) {
  if (!id) return h("span", { class: "muted", text: t("nobody_yet") });
  return h("span", {}, name || "", " ", h("span", { class: "muted", text: id }));
}

async function drawPairing(body, run) {
  const [{ items: volunteers }, { items: households }] = await Promise.all([datasetRows("volunteers"), datasetRows("households")]);
  const volunteerName = new Map(volunteers.map((v) => [v.id, v.name]));
  const householdName = new Map(households.map((x) => [x.id, x.name || x.address || ""]));
  const s = run.summary || {};
  const pairs = run.pairs || [];
  const unpaired = run.unpaired || [];
  const changes = run.changes || [];
  const file = (format, tableName) => `/pairings/${run.id}/export?format=${format}${tableName ? `&table=${tableName}` : ""}`;
  const pairTable = table(
    [
      { label: t("pair_household"), get: (p) => who(p.household || householdName.get(p.household_id), p.household_id) },
      { label: t("primary"), get: (p) => who(p.primary_name, p.primary_id) },
      { label: t("backup"), get: (p) => who(p.backup_name, p.backup_id) },
      { label: t("kept"), get: (p) => (p.kept === "yes" ? h("span", { class: "badge staffed", text: t("kept") }) : "") },
      {
        label: t("fit"),
        get: (p) => h("span", { class: "muted", text: t("fit_terms", { fit: p.primary_fit ?? "–", preference: p.primary_preference ?? "–", travel: p.primary_travel ?? "–" }) }),
      },
    ],
    pairs,
  );
  pairTable.id = "pairing-pairs-table";
  body.replaceChildren(
    h(
      "section",
      { class: "panel", id: "pairing-summary", "aria-labelledby": "pairing-summary-title" },
      h("h3", { id: "pairing-summary-title", text: t("pairing_result", { id: run.id }) }),
      h(
        "p",
        { class: "headline" },
        t("pairing_counts", { paired: number(s.paired), households: number(s.households), backup: number(s.with_backup), unpaired: number(s.unpaired), changes: number(changes.length) }),
      ),
      h(
        "div",
        { class: "row exports" },
        h("button", { type: "button", id: "pairing-download", text: t("download_pairing"), onclick: () => download(file("xlsx"), `pairing-${run.id}.xlsx`) }),
        h("button", { type: "button", id: "pairing-download-unpaired", text: t("download_unpaired"), onclick: () => download(file("csv", "unpaired"), `pairing-${run.id}-unpaired.csv`) }),
        h("button", { type: "button", id: "pairing-download-changes", text: t("download_changes"), onclick: () => download(file("csv", "changes"), `pairing-${run.id}-changes.csv`) }),
      ),
    ),
    h(
      "section",
      { class: "panel", id: "pairing-unpaired", "aria-labelledby": "pairing-unpaired-title" },
      h("h3", { id: "pairing-unpaired-title", text: t("unpaired_title", { count: unpaired.length }) }),
      unpaired.length
        ? h(
            "ul",
            { class: "unpaired-list" },
            unpaired.map((u) =>
              h(
                "li",
                { "data-household": u.household_id },
                h("b", {}, who(householdName.get(u.household_id), u.household_id)),
                " ",
                h("span", { class: "badge unmet", text: t("missing_role", { role: label("pairing_role", u.missing) }) }),
                h("p", { class: "why", text: u.reason }),
                u.nearest ? h("div", {}, h("span", { class: "muted", text: t("ask_first") }), h("ul", { class: "candidates" }, u.nearest.split("；").map((n) => h("li", { text: n })))) : null,
              ),
            ),
          )
        : h("p", { class: "muted", text: t("everyone_paired") }),
    ),
    h(
      "section",
      { class: "panel", id: "pairing-changes", "aria-labelledby": "pairing-changes-title" },
      h("h3", { id: "pairing-changes-title", text: t("pairing_changes_title", { count: changes.length }) }),
      changes.length
        ? table(
            [
              { label: t("pair_household"), get: (c) => who(householdName.get(c.household_id), c.household_id) },
              { label: t("pairing_role"), get: (c) => label("pairing_role", c.role) },
              { label: t("before"), get: (c) => who(volunteerName.get(c.previous_id), c.previous_id) },
              { label: t("after"), get: (c) => who(volunteerName.get(c.new_id), c.new_id) },
              { label: t("reason"), get: (c) => c.reason },
            ],
            changes,
          )
        : h("p", { class: "muted", text: run.previous_count ? t("no_pairing_changes") : t("first_pairing") }),
    ),
    h("section", { class: "panel", id: "pairing-pairs", "aria-labelledby": "pairing-pairs-title" }, h("h3", { id: "pairing-pairs-title", text: t("pairs_title", { count: pairs.length }) }), h("div", { class: "scroll" }, pairTable)),
    continuityPanel(run.continuity || [], householdName),
  );
}

/** Continuity over the term: the share of visits by the primary and the people each household meets. */
function continuityPanel(rows, householdName) {
  const share = (c) => `${Math.round(Number(c.primary_share || 0) * 100)}%`;
  return h(
    "section",
    { class: "panel", id: "pairing-continuity", "aria-labelledby": "pairing-continuity-title" },
    h("h3", { id: "pairing-continuity-title", text: t("continuity_title") }),
    h("p", { class: "muted", text: t("continuity_help") }),
    rows.length
      ? h(
          "div",
          { class: "scroll" },
          table(
            [
              { label: t("pair_household"), get: (c) => who(householdName.get(c.household_id), c.household_id) },
              { label: t("continuity_visits"), get: (c) => number(Number(c.visits)) },
              { label: t("continuity_by_primary"), get: (c) => share(c) },
              { label: t("continuity_people"), get: (c) => number(Number(c.distinct_volunteers)) },
            ],
            rows,
          ),
        )
      : h("p", { class: "muted", text: t("everyone_paired") }),
  );
}
