/* The What-if tab (假如…): scenarios written as changes to the dataset, each planned beside
 * the roster as it is (the base) and compared with it (docs/whatif.md).
 *
 * The coordinator edits a short scenarios file (TOML) in a text area; the API checks it at
 * once and names every mistake by its place in the file (a 422 whose loc is the key path),
 * shown under the text area. The run waits in the server's solve queue; the page polls it
 * and then shows the comparison side by side with the base, the unmet needs with their
 * reasons, the assignments that changed, the chart and the downloads. Files come through
 * the API with the key in a header and are shown or saved from blob URLs: the key is never
 * in an address. */

import { api, can, currentDataset, datasetRows, download, field, h, label, number, percent, sleep, state, t } from "./core.js";

const RUNNING = ["queued", "running"];

let chartUrl = null;

export async function paintWhatif(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  const f = state.filters;
  const body = h("div", { id: "whatif", "aria-live": "polite" });
  main.append(h("h2", { id: "whatif-title", text: t("whatif_title", { name: dataset.name }) }), h("p", { class: "muted", text: t("whatif_help") }));
  main.append(await scenarioForm(dataset, body));
  main.append(body);
  if (f.whatifRun) await followRun(f.whatifRun, body);
}

/** A short example the coordinator edits: a fifth of the volunteers missing, one department away. */
async function example() {
  const { items } = await datasetRows("volunteers");
  const sizes = new Map();
  for (const v of items) if (v.department) sizes.set(v.department, (sizes.get(v.department) || 0) + 1);
  const biggest = [...sizes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  // JSON's string escapes are TOML's basic-string escapes: any name stays a valid value
  const lines = ["[settings]", "seed = 0", "", "[[scenarios]]", `name = ${JSON.stringify(t("whatif_example_noshow"))}`, "remove = { share = 0.2, seed = 7 }"];
  if (biggest) {
    const department = biggest[0];
    lines.push("", "[[scenarios]]", `name = ${JSON.stringify(t("whatif_example_away", { department }))}`, `remove = { department = ${JSON.stringify(department)} }`);
  }
  return `${lines.join("\n")}\n`;
}

async function scenarioForm(dataset, body) {
  const f = state.filters;
  const text = h("textarea", {
    id: "whatif-toml",
    rows: 12,
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    class: "code",
    oninput: (e) => (f.whatifToml = e.target.value),
  });
  // the coordinator's own text survives a language switch; the example follows the language
  text.value = f.whatifToml ?? (await example());
  const limit = h("input", { id: "whatif-time-limit", type: "number", min: 1, max: 600, step: 1, value: f.whatifLimit || 10, inputmode: "numeric" });
  const mistakes = h("div", { class: "error", id: "whatif-mistakes", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      class: "panel",
      novalidate: true,
      "aria-labelledby": "whatif-form-title",
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        f.whatifLimit = limit.value;
        try {
          const json = { toml: text.value };
          if (limit.value) json.time_limit = Number(limit.value);
          const started = await api("POST", `/datasets/${dataset.id}/whatif`, { json });
          clearMistakes(mistakes, text);
          f.whatifRun = started.id;
          state.follow += 1; // a run followed before stops being drawn
          await followRun(started.id, body);
        } catch (error) {
          showMistakes(mistakes, text, error);
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h3", { id: "whatif-form-title", text: t("scenarios_toml") }),
    h("p", { class: "muted", text: t("whatif_format_help") }),
    h("label", { class: "field" }, h("span", { text: t("scenarios_toml") }), text),
    mistakes,
    h(
      "div",
      { class: "row" },
      field(t("time_limit"), limit),
      can("coordinator") ? h("button", { type: "submit", class: "primary", id: "whatif-start", text: t("start_whatif") }) : null,
      h("button", {
        type: "button",
        id: "whatif-example",
        text: t("whatif_reset_example"),
        onclick: async () => {
          delete f.whatifToml;
          text.value = await example();
          clearMistakes(mistakes, text);
        },
      }),
    ),
    can("coordinator") ? null : h("p", { class: "muted", text: t("whatif_viewer") }),
  );
  return form;
}

function clearMistakes(box, text) {
  box.hidden = true;
  box.replaceChildren();
  text.removeAttribute("aria-invalid");
  text.removeAttribute("aria-describedby");
}

/** Where in the file a 422 finding is: `scenarios[0].remove.share` from its loc. */
function place(loc) {
  const path = (loc || []).filter((p) => p !== "body" && p !== "toml");
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
}

/** Every mistake the API found, by its place in the file, next to the text area. */
function showMistakes(box, text, error) {
  box.hidden = false;
  const detail = error.body && error.body.detail;
  if (!Array.isArray(detail)) {
    box.replaceChildren(h("p", { text: error.message }));
    return;
  }
  box.replaceChildren(
    h("p", { text: t("whatif_mistakes") }),
    h(
      "ul",
      {},
      detail.map((d) => {
        const where = place(d.loc);
        return h("li", {}, where ? h("code", { text: where }) : null, where ? ": " : null, d.msg);
      }),
    ),
  );
  text.setAttribute("aria-invalid", "true");
  text.setAttribute("aria-describedby", box.id);
  text.focus();
}

async function followRun(runId, body) {
  const ticket = state.follow;
  for (;;) {
    let run;
    try {
      run = await api("GET", `/whatif/${runId}`);
    } catch (error) {
      if (ticket !== state.follow) return;
      body.replaceChildren(h("p", { class: "error", role: "alert", text: error.message }));
      if (error.status === 404) delete state.filters.whatifRun;
      return;
    }
    if (ticket !== state.follow) return;
    if (RUNNING.includes(run.status)) {
      body.replaceChildren(progress(run));
      await sleep(700);
      if (ticket !== state.follow) return;
      continue;
    }
    if (run.status !== "done" || !run.comparison) {
      body.replaceChildren(h("p", { class: "error", role: "alert", text: t("whatif_failed", { id: run.id, status: label("job_status", run.status), error: run.error || "" }) }));
      return;
    }
    await drawComparison(body, run);
    return;
  }
}

function progress(run) {
  return h(
    "section",
    { class: "panel", "aria-busy": "true", "aria-labelledby": "whatif-progress" },
    h("h3", { id: "whatif-progress", text: t("whatif_running", { id: run.id }) }),
    h("p", { role: "status" }, t("status"), " ", h("b", { text: label("job_status", run.status) })),
    h("p", { class: "muted", text: t("whatif_queue_help") }),
  );
}

/** A figure with its difference from the base, e.g. "55 (−3)". */
function withDelta(value, delta, shown) {
  const text = shown(value);
  if (delta === undefined || delta === null || delta === 0) return text;
  const sign = delta > 0 ? "+" : "−";
  return `${text} (${sign}${shown(Math.abs(delta))})`;
}

function byPriority(figures) {
  const table = figures.coverage_by_priority || {};
  return Object.keys(table)
    .sort((a, b) => Number(b) - Number(a))
    .map((p) => t("priority_staffed", { priority: p, staffed: table[p].staffed, needs: table[p].needs }))
    .join(" · ");
}

function runName(run) {
  return h("span", {}, h("b", { text: run.name }), run.description ? h("span", { class: "muted", text: ` ${run.description}` }) : null);
}

/** The comparison: a row per run, base first, so each scenario reads beside the base. */
function comparisonTable(comparison) {
  const runs = [{ ...comparison.base, isBase: true }, ...comparison.scenarios];
  const ok = (get) => (run) => (run.figures ? get(run.figures, run.delta || {}, run) : "");
  const columns = [
    { label: t("scenario"), get: (run) => runName(run) },
    { label: t("state"), get: (run) => h("span", { class: `badge whatif-${run.state}`, text: label("whatif_state", run.state) }) },
    { label: t("staffed_needs"), get: ok((x, d) => `${t("of", { part: withDelta(x.staffed, d.staffed, number), whole: x.needs })} · ${withDelta(x.coverage, d.coverage, percent)}`) },
    { label: t("weighted_coverage"), get: ok((x, d) => withDelta(x.weighted_coverage, d.weighted_coverage, percent)) },
    { label: t("staffed_by_priority"), get: ok((x) => byPriority(x)) },
    { label: t("unmet_needs"), get: ok((x, d) => withDelta(x.unmet_needs.length, d.unmet, number)) },
    { label: t("must_cover_unmet"), get: ok((x) => number(x.must_cover_unmet)) },
    { label: t("volunteers_serving"), get: ok((x) => `${number(x.load.serving)} (${percent(x.load.share_serving)})`) },
    { label: t("most_shifts"), get: ok((x) => number(x.load.max_shifts)) },
    { label: t("load_spread"), get: ok((x, d) => withDelta(x.load.gini_shifts, d.gini_shifts, (v) => number(v, 3))) },
    {
      label: t("assignments_changed"),
      get: (run) => (run.isBase ? "" : run.changes ? t("changes_count", { added: run.changes.added, removed: run.changes.removed, people: run.changes.volunteers_affected }) : ""),
    },
    {
      label: t("not_built_why"),
      get: (run) => (run.issues && run.issues.length ? h("ul", { class: "issues" }, run.issues.map((i) => h("li", { text: i }))) : ""),
    },
  ];
  const built = tableOf(columns, runs);
  built.id = "whatif-table";
  return h("div", { class: "scroll" }, built);
}

function tableOf(columns, rows) {
  return h(
    "table",
    { class: "cards compare" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", text: c.label })))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          { class: row.isBase ? "base" : null },
          columns.map((c) => {
            const value = c.get(row);
            return h("td", { "data-label": c.label }, value === "" ? null : value);
          }),
        ),
      ),
    ),
  );
}

/** The needs a run leaves uncovered, with the solver's reasons. */
function unmetList(run) {
  const unmet = (run.figures && run.figures.unmet_needs) || [];
  if (!unmet.length) return h("p", { class: "muted", text: t("no_gaps_in_run") });
  return h(
    "ul",
    { class: "unmet-list" },
    unmet.map((u) =>
      h(
        "li",
        {},
        h("b", { text: `${u.need_id} ${u.title}` }),
        " ",
        h("span", { class: "badge", text: t("priority_short", { value: u.priority }) }),
        u.must_cover ? h("span", { class: "badge unmet", text: t("must_cover") }) : null,
        " ",
        h("span", { class: "muted", text: t("assigned_of_min", { assigned: u.assigned, min: u.min_volunteers }) }),
        u.reasons.length ? h("ul", {}, u.reasons.map((r) => h("li", { text: r }))) : null,
      ),
    ),
  );
}

/** The assignments a scenario adds or takes away against the base: the people to tell. */
function changeList(run) {
  const moved = (run.changes && run.changes.assignments) || [];
  if (!moved.length) return h("p", { class: "muted", text: t("no_changes") });
  return h(
    "ul",
    { class: "change-list" },
    moved.map((c) =>
      h("li", {}, h("span", { class: `badge change-${c.kind}`, text: label("change_kind", c.kind) }), " ", `${c.need_id} · ${c.name || ""} `, h("span", { class: "muted", text: c.volunteer_id })),
    ),
  );
}

async function drawComparison(body, run) {
  const comparison = run.comparison;
  const runs = [comparison.base, ...comparison.scenarios];
  const chart = h("img", { id: "whatif-chart", alt: t("whatif_chart_alt"), hidden: true });
  const details = (id, title, list) => h("details", { class: "run-detail", id }, h("summary", { text: title }), list);
  body.replaceChildren(
    h(
      "section",
      { class: "panel", id: "whatif-comparison", "aria-labelledby": "comparison-title" },
      h("h3", { id: "comparison-title", text: t("comparison_title", { id: run.id }) }),
      h("p", { class: "muted", text: comparison.stable ? t("whatif_stable") : t("whatif_fresh") }),
      comparisonTable(comparison),
      h(
        "div",
        { class: "row exports" },
        h("button", { type: "button", id: "whatif-download", text: t("download_whatif"), onclick: () => download(`/whatif/${run.id}/export?format=xlsx`, `whatif-${run.id}.xlsx`) }),
        h("button", { type: "button", id: "whatif-download-csv", text: t("export_csv"), onclick: () => download(`/whatif/${run.id}/export?format=csv`, `whatif-${run.id}.csv`) }),
      ),
    ),
    h("section", { class: "panel" }, h("figure", { class: "chart" }, h("figcaption", { text: t("whatif_chart_title") }), chart)),
    h(
      "section",
      { class: "panel", id: "whatif-unmet", "aria-labelledby": "whatif-unmet-title" },
      h("h3", { id: "whatif-unmet-title", text: t("unmet_by_run") }),
      runs.filter((r) => r.figures).map((r, i) => details(`whatif-unmet-${i}`, t("run_count", { name: r.name, count: r.figures.unmet_needs.length }), unmetList(r))),
    ),
    h(
      "section",
      { class: "panel", id: "whatif-changes", "aria-labelledby": "whatif-changes-title" },
      h("h3", { id: "whatif-changes-title", text: t("changes_by_run") }),
      comparison.scenarios.filter((r) => r.changes).map((r, i) => details(`whatif-changes-${i}`, t("run_count", { name: r.name, count: r.changes.assignments.length }), changeList(r))),
    ),
  );
  await showChart(chart, `/whatif/${run.id}/export?format=png`);
}

/** The chart, fetched with the key and shown from a blob URL. */
async function showChart(img, path) {
  try {
    const response = await api("GET", path, { raw: true });
    if (chartUrl) URL.revokeObjectURL(chartUrl);
    chartUrl = URL.createObjectURL(await response.blob());
    img.src = chartUrl;
    img.hidden = false;
    // a tap opens the picture at full size (small on a phone)
    const link = h("a", { href: chartUrl, target: "_blank", rel: "noopener", class: "chart-link" });
    img.before(link);
    link.append(img);
  } catch (error) {
    img.replaceWith(h("p", { class: "error", role: "alert", text: error.message }));
  }
}
