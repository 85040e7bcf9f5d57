/* The Ledger tab (积分台账): the points ranking, the early-warning list (预警) and the
 * department report of a period, the department chart, the workbook and, for
 * coordinators, each volunteer's service record certificate (PDF).
 *
 * The API answers each table with its columns (key and Chinese header) and rows; the page
 * shows the columns a coordinator reads first, the workbook has them all. Files come
 * through the API with the key in a header and are shown or saved from blob URLs: the key
 * is never in an address. */

import { api, can, clearProblems, currentDataset, download, field, h, label, number, option, percent, problemField, showProblems, state, t, table } from "./core.js";

/** The columns shown of each table, by key, in order (the workbook keeps every column). */
const SHOWN = {
  ranking: ["rank", "name", "department", "points", "hours", "current_streak_months"],
  warnings: ["name", "department", "membership", "points", "threshold", "shortfall", "hours", "last_served", "next_need"],
  departments: ["department", "registered", "active", "hours", "points", "no_shows", "no_show_rate", "non_party_share"],
};

const SHARES = new Set(["no_show_rate", "non_party_share"]);

const FIRST_ROWS = 20;

let chartUrl = null;

export async function paintLedger(main) {
  const dataset = currentDataset();
  if (!dataset) {
    main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
    return;
  }
  const f = state.filters;
  const fields = {};
  const from = h("input", { id: "ledger-from", type: "date", value: f.ledgerFrom || "" });
  const to = h("input", { id: "ledger-to", type: "date", value: f.ledgerTo || "" });
  const problems = h("div", { class: "error", role: "alert", hidden: true });
  const body = h("div", { id: "ledger", "aria-live": "polite" });
  const load = async () => {
    f.ledgerFrom = from.value;
    f.ledgerTo = to.value;
    const period = new URLSearchParams();
    if (from.value) period.set("from", from.value);
    if (to.value) period.set("to", to.value);
    const query = period.toString();
    try {
      const ledger = await api("GET", `/datasets/${dataset.id}/ledger${query ? `?${query}` : ""}`);
      clearProblems(problems, fields);
      await drawLedger(body, dataset, ledger, query);
    } catch (error) {
      showProblems(problems, fields, error);
    }
  };
  const form = h(
    "form",
    {
      class: "panel",
      novalidate: true,
      "aria-labelledby": "ledger-period-title",
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        try {
          await load();
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h3", { id: "ledger-period-title", text: t("period") }),
    h("p", { class: "muted", text: t("period_help") }),
    h(
      "div",
      { class: "row" },
      problemField(fields, "from", t("from_date"), from),
      problemField(fields, "to", t("to_date"), to),
      h("button", { type: "submit", class: "primary", id: "ledger-show", text: t("show") }),
    ),
    problems,
  );
  main.append(h("h2", { text: t("ledger_title", { name: dataset.name }) }), h("p", { class: "muted", text: t("ledger_help") }), form, body);
  await load();
}

async function drawLedger(body, dataset, ledger, query) {
  const tables = new Map(ledger.tables.map((found) => [found.name, found]));
  const f = state.filters;
  const departments = new Set();
  for (const name of ["ranking", "warnings"]) {
    const found = tables.get(name);
    if (!found) continue;
    const at = found.columns.findIndex((c) => c.key === "department");
    if (at >= 0) found.rows.forEach((row) => departments.add(row[at]));
  }
  if (f.ledgerDepartment && !departments.has(f.ledgerDepartment)) f.ledgerDepartment = "";
  const holder = h("div");
  const drawPeople = () => {
    holder.replaceChildren(
      peoplePanel(tables.get("warnings"), "warnings", t("warnings_title", { count: ledger.warned }), dataset, query),
      peoplePanel(tables.get("ranking"), "ranking", t("ranking_title"), dataset, query),
    );
  };
  const department = h(
    "select",
    {
      id: "ledger-department",
      onchange: (e) => {
        f.ledgerDepartment = e.target.value;
        drawPeople();
      },
    },
    option("", t("all")),
    [...departments].sort().map((d) => option(d, d, d === f.ledgerDepartment)),
  );
  const chart = h("img", { id: "ledger-chart", alt: t("chart_alt"), hidden: true });
  const suffix = query ? `&${query}` : "";
  body.replaceChildren(
    h(
      "section",
      { class: "panel", "aria-labelledby": "ledger-summary" },
      h("p", { class: "headline", id: "ledger-summary", text: t("ledger_period", { start: ledger.start || "–", end: ledger.end, warned: ledger.warned }) }),
      h(
        "div",
        { class: "row" },
        h("button", {
          type: "button",
          id: "ledger-download",
          text: t("download_ledger"),
          onclick: () => download(`/datasets/${dataset.id}/ledger/export?format=xlsx${suffix}`, "ledger.xlsx"),
        }),
        field(t("department"), department),
      ),
    ),
    holder,
    h(
      "section",
      { class: "panel", id: "ledger-departments", "aria-labelledby": "departments-title" },
      h("h3", { id: "departments-title", text: t("departments_title") }),
      // the picture first: on a phone the table below is a long list of cards
      h("figure", { class: "chart" }, h("figcaption", { id: "chart-title", text: t("chart_title") }), chart),
      ledgerTable(tables.get("departments"), "departments"),
    ),
  );
  drawPeople();
  await showChart(chart, `/datasets/${dataset.id}/ledger/export?format=png${suffix}`);
}

/** The department chart, fetched with the key and shown from a blob URL. */
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

/** Ranking or warnings: the people of the chosen department, the first rows, then all. */
function peoplePanel(answer, name, title, dataset, query) {
  const panel = h("section", { class: "panel", id: `ledger-${name}`, "aria-labelledby": `${name}-title` }, h("h3", { id: `${name}-title`, text: title }));
  if (!answer) return panel;
  const at = answer.columns.findIndex((c) => c.key === "department");
  const wanted = state.filters.ledgerDepartment;
  const rows = wanted && at >= 0 ? answer.rows.filter((row) => row[at] === wanted) : answer.rows;
  if (!rows.length) {
    panel.append(h("p", { class: "muted", text: name === "warnings" ? t("no_warnings") : t("no_ledger_rows") }));
    return panel;
  }
  const holder = h("div");
  const draw = (all) => {
    holder.replaceChildren(ledgerTable({ ...answer, rows: all ? rows : rows.slice(0, FIRST_ROWS) }, name, name === "ranking" ? { dataset, query } : null));
    if (!all && rows.length > FIRST_ROWS) {
      holder.append(h("button", { type: "button", class: "link", text: t("show_all_rows", { count: rows.length }), onclick: () => draw(true) }));
    }
  };
  draw(false);
  panel.append(holder);
  return panel;
}

function header(column) {
  // the API's headers are the workbook's Chinese ones; in English the column's key reads well
  return state.lang === "zh" ? column.header : column.key.replace(/_/g, " ");
}

function cell(key, value) {
  if (value === null || value === undefined) return "";
  if (key === "membership") return label("membership", value);
  if (SHARES.has(key)) return percent(value);
  if (typeof value === "number") return number(value, 2);
  return String(value);
}

/** One of the ledger's tables with the columns of SHOWN (and a certificate per volunteer). */
function ledgerTable(answer, name, certificates) {
  if (!answer || !answer.rows.length) return h("p", { class: "muted", text: t("no_ledger_rows") });
  const tableRows = answer.rows;
  const index = new Map(answer.columns.map((c, i) => [c.key, i]));
  const keys = (SHOWN[name] || []).filter((k) => index.has(k));
  const shown = keys.length ? keys : answer.columns.map((c) => c.key);
  const id = index.get("volunteer_id");
  const columns = shown.map((key) => {
    const column = answer.columns[index.get(key)];
    return {
      label: header(column),
      get: (row) => {
        const text = cell(key, row[index.get(key)]);
        // a person's name with their id, so two of the same name stay apart
        return key === "name" && id !== undefined ? h("span", {}, text, " ", h("span", { class: "muted", text: row[id] })) : text;
      },
    };
  });
  if (certificates && can("coordinator") && id !== undefined) {
    const nameAt = index.get("name");
    columns.push({
      label: t("certificate"),
      get: (row) => {
        const volunteer = row[id];
        const who = nameAt !== undefined ? row[nameAt] : volunteer;
        return h("button", {
          type: "button",
          class: "certificate",
          text: t("certificate"),
          "aria-label": t("certificate_for", { name: who }),
          onclick: () => download(`/datasets/${certificates.dataset.id}/volunteers/${encodeURIComponent(volunteer)}/certificate${certificates.query ? `?${certificates.query}` : ""}`, `${volunteer}.pdf`),
        });
      },
    });
  }
  const shownTable = table(columns, tableRows);
  shownTable.dataset.table = name;
  return h("div", { class: "scroll" }, shownTable);
}
