/* The page's shared parts: state, texts, DOM helpers, the API client and navigation.
 *
 * Everything goes through the service's JSON API with the API key in the
 * X-API-Key header; the key lives in sessionStorage only (never in a URL).
 * Every text comes from GET /ui/texts in the chosen language (the Python
 * module api/web/texts.py and the gettext catalogues), and every request
 * sends Accept-Language, so the API's own messages match the page.
 * The DOM is built with textContent only: data never becomes markup.
 */

export const KEY_STORE = "matcher.key";

export const LANG_STORE = "matcher.lang";

export const ACTIVE = ["queued", "running", "stopping"];

export const RANK = { viewer: 0, coordinator: 1, admin: 2 };

// in the order of the work: intake, planning (what if ..., one-to-one pairs), answers, the day itself, the ledger
export const TABS = ["data", "requests", "plan", "whatif", "pairing", "answers", "day", "ledger", "keys"];

export const SHOWN_ROWS = 200;

export const state = {
  lang: localStorage.getItem(LANG_STORE) === "en" ? "en" : "zh",
  texts: {},
  labels: {},
  key: sessionStorage.getItem(KEY_STORE) || "",
  me: null,
  datasets: [],
  datasetId: null,
  tab: "data",
  rosterId: null,
  follow: 0,
  cache: new Map(),
  filters: {},
};

export function t(name, params) {
  let text = state.texts[name] ?? name;
  for (const [field, value] of Object.entries(params || {})) {
    text = text.split(`{${field}}`).join(String(value));
  }
  return text;
}

export function label(kind, code) {
  return (state.labels[kind] || {})[code] ?? code ?? "";
}

export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "value") el.value = value;
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

export function field(text, control, extra) {
  return h("label", { class: `field ${extra || ""}` }, h("span", { text }), control);
}

export function option(value, text, selected) {
  return h("option", { value, selected: Boolean(selected) }, text);
}

export function table(columns, rows, caption) {
  return h(
    "table",
    { class: "cards" },
    caption ? h("caption", { text: caption }) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", text: c.label })))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          columns.map((c) => {
            const value = c.get(row);
            return h("td", { "data-label": c.label }, value === "" ? null : value);
          }),
        ),
      ),
    ),
  );
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function toast(text, bad) {
  const box = document.getElementById("toast");
  box.className = bad ? "bad" : "";
  box.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.textContent = ""), bad ? 9000 : 4000);
}

export function can(role) {
  return state.me && RANK[state.me.role] >= RANK[role];
}

export const locale = () => (state.lang === "zh" ? "zh-CN" : "en");

export function day(iso) {
  if (!iso) return t("any_day");
  const [y, m, d] = iso.split("-").map(Number);
  const text = new Intl.DateTimeFormat(locale(), {
    month: "short",
    day: "numeric",
    weekday: "short",
  }).format(new Date(y, m - 1, d));
  const festival = festivals().get(iso);
  return festival ? `${text} ${festival}` : text;
}

export function stamp(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short" }).format(
    new Date(iso),
  );
}

export function number(value, digits) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits ?? 0 }).format(value);
}

export function percent(value) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 2 }).format(
    value,
  );
}

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
  }
}

export function describe(status, body) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const where = (d.loc || []).filter((p) => p !== "body" && p !== "query").join(".");
        return where ? `${where}: ${d.msg}` : d.msg;
      })
      .join("; ");
  }
  if (body && Array.isArray(body.errors)) return t("upload_failed", { count: body.errors.length });
  return t("request_failed", { status });
}

export async function api(method, path, options) {
  const { json, form, raw } = options || {};
  const headers = { "Accept-Language": state.lang };
  if (state.key) headers["X-API-Key"] = state.key;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch (error) {
    throw new ApiError(0, { detail: t("server_unreachable") });
  }
  if (!response.ok) {
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (response.status === 401 && state.me) hooks.signOut(describe(401, answer));
    throw new ApiError(response.status, answer);
  }
  if (raw) return response;
  return response.json();
}

export async function everyRow(path) {
  const joiner = path.includes("?") ? "&" : "?";
  let items = [];
  let total = 0;
  for (let page = 0; page < 40; page += 1) {
    const answer = await api("GET", `${path}${joiner}offset=${items.length}&limit=500`);
    items = items.concat(answer.items);
    total = answer.total;
    if (!answer.items.length || items.length >= total) break;
  }
  return { items, total };
}

export function fileName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(header);
  return match ? match[1] : fallback;
}

export async function download(path, fallback) {
  try {
    const response = await api("GET", path, { raw: true });
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: fileName(response, fallback), hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  } catch (error) {
    toast(error.message, true);
  }
}

/** Run an action of a button: disabled while it runs, errors shown, never thrown. */
export async function act(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (error) {
    toast(error.message, true);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function slotText(slot) {
  return { morning: t("slot_morning"), afternoon: t("slot_afternoon"), evening: t("slot_evening"), anytime: t("slot_anytime") }[slot];
}

export function staffingText(kind) {
  return { unmet: t("staffing_unmet"), short: t("staffing_short"), staffed: t("staffing_staffed") }[kind];
}

export function go(tab) {
  if (location.hash !== `#${tab}`) location.hash = tab;
  else render();
}

export function chooseDataset(id) {
  state.datasetId = id;
  state.rosterId = null;
  state.filters = {};
  render();
}

export function currentDataset() {
  return state.datasets.find((d) => d.id === state.datasetId) || null;
}

export function festivals() {
  const dataset = currentDataset();
  return new Map(((dataset && dataset.horizon && dataset.horizon.festivals) || []).map((f) => [f[0], f[1]]));
}

export async function refreshDatasets() {
  state.datasets = await api("GET", "/datasets");
  if (!state.datasets.some((d) => d.id === state.datasetId)) {
    state.datasetId = state.datasets.length ? state.datasets[state.datasets.length - 1].id : null;
  }
}

export async function datasetRows(kind) {
  const id = state.datasetId;
  const cacheKey = `${id}/${kind}`;
  if (!state.cache.has(cacheKey)) {
    state.cache.set(cacheKey, everyRow(`/datasets/${id}/${kind}`));
  }
  try {
    return await state.cache.get(cacheKey);
  } catch (error) {
    state.cache.delete(cacheKey);
    throw error;
  }
}

/** Today in Beijing time (YYYY-MM-DD), the day the service's rules count in. */
export function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** The published roster of the current dataset that is the plan of record, or null. */
export async function planOfRecord(dataset) {
  const published = (await api("GET", `/rosters?dataset_id=${dataset.id}&published=true&limit=10`)).items;
  return published.find((j) => !j.superseded_at) || null;
}

/**
 * A form's field that can show the API's complaint about it: a label, the control and, under
 * it, the message of a 422 whose loc names the field (see showProblems).
 */
export function problemField(fields, name, text, control, extra) {
  const error = h("span", { class: "field-error", id: `${control.id}-error`, hidden: true });
  fields[name] = { control, error, text };
  return h("label", { class: `field ${extra || ""}` }, h("span", { text }), control, error);
}

export function clearProblems(summary, fields) {
  summary.hidden = true;
  summary.replaceChildren();
  for (const f of Object.values(fields)) {
    f.error.hidden = true;
    f.error.textContent = "";
    f.control.removeAttribute("aria-invalid");
    f.control.removeAttribute("aria-describedby");
  }
}

/**
 * Show an API error next to its form, in the page's language (the API answers in it): each
 * finding of a 422 under the field its loc names, all of them listed in the summary; any
 * other error (a 409's detail, a lost connection) in the summary alone.
 */
export function showProblems(summary, fields, error) {
  clearProblems(summary, fields);
  const detail = error.body && error.body.detail;
  summary.hidden = false;
  if (!Array.isArray(detail)) {
    summary.textContent = error.message;
    return;
  }
  const lines = [];
  for (const d of detail) {
    const path = (d.loc || []).filter((p) => p !== "body" && p !== "query" && p !== "path");
    const f = fields[path[0]];
    if (f) {
      f.error.hidden = false;
      f.error.textContent = f.error.textContent ? `${f.error.textContent}; ${d.msg}` : d.msg;
      f.control.setAttribute("aria-invalid", "true");
      f.control.setAttribute("aria-describedby", f.error.id);
    }
    lines.push(h("li", { text: `${f ? f.text : path.join(".")}: ${d.msg}` }));
  }
  summary.append(h("p", { text: t("form_problems") }), h("ul", {}, lines));
  const first = Object.values(fields).find((f) => !f.error.hidden);
  if (first) first.control.focus();
}

export const time = (item) => (item.start ? `${item.start}–${item.end || ""}` : "");

/** What app.js provides: painting the page and signing out (set once at the start). */
export const hooks = { render: async () => {}, signOut: () => {} };

/** Paint the page again (the current tab, from fresh answers). */
export function render() {
  return hooks.render();
}
