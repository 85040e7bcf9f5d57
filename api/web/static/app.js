/* The coordinators' page (issue 16): plain JavaScript, no build step, no CDN.
 *
 * Everything goes through the service's JSON API with the API key in the
 * X-API-Key header; the key lives in sessionStorage only (never in a URL).
 * Every text comes from GET /ui/texts in the chosen language (the Python
 * module api/web/texts.py and the gettext catalogues), and every request
 * sends Accept-Language, so the API's own messages match the page.
 * The DOM is built with textContent only: data never becomes markup.
 */
"use strict";

(() => {
  const KEY_STORE = "matcher.key";
  const LANG_STORE = "matcher.lang";
  const ACTIVE = ["queued", "running", "stopping"];
  const RANK = { viewer: 0, coordinator: 1, admin: 2 };
  const TABS = ["data", "plan", "answers", "keys"];
  const SHOWN_ROWS = 200;

  const state = {
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

  // ------------------------------------------------------------------ helpers

  function t(name, params) {
    let text = state.texts[name] ?? name;
    for (const [field, value] of Object.entries(params || {})) {
      text = text.split(`{${field}}`).join(String(value));
    }
    return text;
  }

  function label(kind, code) {
    return (state.labels[kind] || {})[code] ?? code ?? "";
  }

  function h(tag, props, ...kids) {
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

  function field(text, control, extra) {
    return h("label", { class: `field ${extra || ""}` }, h("span", { text }), control);
  }

  function option(value, text, selected) {
    return h("option", { value, selected: Boolean(selected) }, text);
  }

  function table(columns, rows, caption) {
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

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function toast(text, bad) {
    const box = document.getElementById("toast");
    box.className = bad ? "bad" : "";
    box.textContent = text;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (box.textContent = ""), bad ? 9000 : 4000);
  }

  function can(role) {
    return state.me && RANK[state.me.role] >= RANK[role];
  }

  const locale = () => (state.lang === "zh" ? "zh-CN" : "en");

  function day(iso) {
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

  function stamp(iso) {
    if (!iso) return "";
    return new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short" }).format(
      new Date(iso),
    );
  }

  function number(value, digits) {
    if (value === null || value === undefined) return "–";
    return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits ?? 0 }).format(value);
  }

  function percent(value) {
    if (value === null || value === undefined) return "–";
    return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 2 }).format(
      value,
    );
  }

  // ------------------------------------------------------------------ the API

  class ApiError extends Error {
    constructor(status, body) {
      super(describe(status, body));
      this.status = status;
      this.body = body;
    }
  }

  function describe(status, body) {
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

  async function api(method, path, options) {
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
      if (response.status === 401 && state.me) signOut(describe(401, answer));
      throw new ApiError(response.status, answer);
    }
    if (raw) return response;
    return response.json();
  }

  async function everyRow(path) {
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

  function fileName(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : fallback;
  }

  async function download(path, fallback) {
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
  async function act(button, work) {
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

  // ------------------------------------------------------------------ the frame

  async function loadTexts() {
    const answer = await fetch(`/ui/texts?lang=${state.lang}`).then((r) => r.json());
    state.texts = answer.texts;
    state.labels = answer.labels;
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("app_title");
  }

  function frame() {
    document.getElementById("title").textContent = t("app_title");
    document.getElementById("skip").textContent = t("skip_to_content");
    const lang = document.getElementById("lang");
    lang.textContent = state.lang === "zh" ? "English" : "中文";
    lang.setAttribute("lang", state.lang === "zh" ? "en" : "zh-CN");
    lang.setAttribute("aria-label", t("switch_language"));
    const out = document.getElementById("signout");
    out.textContent = t("sign_out");
    out.hidden = !state.me;
    document.getElementById("who").textContent = state.me
      ? t("signed_in_as", { label: state.me.label || state.me.prefix, role: label("key_role", state.me.role) })
      : "";
    const nav = document.getElementById("nav");
    nav.hidden = !state.me;
    nav.setAttribute("aria-label", t("sections"));
    nav.replaceChildren();
    if (!state.me) return;
    for (const tab of TABS) {
      if (tab === "keys" && !can("admin")) continue;
      nav.append(
        h("button", {
          type: "button",
          id: `tab-${tab}`,
          "aria-current": state.tab === tab ? "page" : null,
          text: tabText(tab),
          onclick: () => go(tab),
        }),
      );
    }
    const chooser = h(
      "select",
      { id: "dataset-choice", onchange: (e) => chooseDataset(Number(e.target.value)) },
      state.datasets.length ? null : option("", t("no_datasets")),
      state.datasets.map((d) => option(d.id, `${d.name} (#${d.id})`, d.id === state.datasetId)),
    );
    nav.append(h("label", { class: "dataset" }, h("span", { text: t("dataset") }), chooser));
  }

  function tabText(tab) {
    return { data: t("tab_data"), plan: t("tab_plan"), answers: t("tab_answers"), keys: t("tab_keys") }[tab];
  }

  function slotText(slot) {
    return { morning: t("slot_morning"), afternoon: t("slot_afternoon"), evening: t("slot_evening"), anytime: t("slot_anytime") }[slot];
  }

  function staffingText(kind) {
    return { unmet: t("staffing_unmet"), short: t("staffing_short"), staffed: t("staffing_staffed") }[kind];
  }

  function go(tab) {
    if (location.hash !== `#${tab}`) location.hash = tab;
    else render();
  }

  function chooseDataset(id) {
    state.datasetId = id;
    state.rosterId = null;
    state.filters = {};
    render();
  }

  function currentDataset() {
    return state.datasets.find((d) => d.id === state.datasetId) || null;
  }

  function festivals() {
    const dataset = currentDataset();
    return new Map(((dataset && dataset.horizon && dataset.horizon.festivals) || []).map((f) => [f[0], f[1]]));
  }

  async function refreshDatasets() {
    state.datasets = await api("GET", "/datasets");
    if (!state.datasets.some((d) => d.id === state.datasetId)) {
      state.datasetId = state.datasets.length ? state.datasets[state.datasets.length - 1].id : null;
    }
  }

  async function render() {
    const wanted = location.hash.slice(1);
    state.tab = TABS.includes(wanted) && (wanted !== "keys" || can("admin")) ? wanted : "data";
    state.follow += 1; // stops following a job drawn by an earlier render
    frame();
    // Each render paints into its own container: one started later replaces it, and
    // the earlier one, still awaiting answers, paints on into a detached element.
    const view = h("div");
    document.getElementById("main").replaceChildren(view);
    if (!state.me) {
      view.append(signInForm());
      return;
    }
    const painters = { data: paintData, plan: paintPlan, answers: paintAnswers, keys: paintKeys };
    try {
      await painters[state.tab](view);
    } catch (error) {
      view.append(h("p", { class: "error", role: "alert", text: error.message }));
    }
  }

  // ------------------------------------------------------------------ sign in

  function signInForm() {
    const input = h("input", {
      id: "key-input",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      required: true,
    });
    const problem = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          const button = form.querySelector("button");
          await act(button, async () => {
            try {
              await signIn(input.value.trim());
            } catch (error) {
              problem.hidden = false;
              problem.textContent = error.message;
            }
          });
        },
      },
      h("h2", { text: t("sign_in_title") }),
      h("p", { text: t("sign_in_help") }),
      field(t("api_key"), input),
      problem,
      h("p", {}, h("button", { type: "submit", class: "primary", text: t("sign_in") })),
    );
    return h("section", { class: "panel" }, form);
  }

  async function signIn(key) {
    state.key = key;
    try {
      state.me = await api("GET", "/ui/key");
    } catch (error) {
      state.key = "";
      throw error;
    }
    sessionStorage.setItem(KEY_STORE, key);
    await refreshDatasets();
    await render();
  }

  function signOut(reason) {
    sessionStorage.removeItem(KEY_STORE);
    state.key = "";
    state.me = null;
    state.cache.clear();
    render();
    if (reason) toast(reason, true);
  }

  // ------------------------------------------------------------------ datasets

  async function paintData(main) {
    main.append(datasetList());
    if (can("coordinator")) main.append(uploadPanel());
    else main.append(h("section", { class: "panel" }, h("a", { href: "/ui/template.xlsx", download: true, text: t("download_template") })));
    if (currentDataset()) main.append(await browsePanel());
  }

  function datasetList() {
    const panel = h("section", { class: "panel", "aria-labelledby": "datasets-title" });
    panel.append(h("h2", { id: "datasets-title", text: t("datasets") }));
    if (!state.datasets.length) {
      panel.append(h("p", { text: t("no_datasets_yet") }));
      return panel;
    }
    const rows = [...state.datasets].reverse();
    panel.append(
      table(
        [
          { label: t("name"), get: (d) => `${d.name} (#${d.id})` },
          { label: t("dates"), get: (d) => (d.horizon ? `${d.horizon.start} – ${d.horizon.end}` : "") },
          { label: t("volunteers"), get: (d) => number(d.counts.volunteers) },
          { label: t("needs"), get: (d) => number(d.counts.needs) },
          { label: t("households"), get: (d) => number(d.counts.households) },
          {
            label: t("actions"),
            get: (d) =>
              h(
                "div",
                { class: "actions" },
                h("button", {
                  type: "button",
                  text: t("browse"),
                  "aria-label": t("browse_dataset", { name: d.name }),
                  onclick: () => chooseDataset(d.id),
                }),
                h("button", {
                  type: "button",
                  class: "primary",
                  text: t("plan"),
                  "aria-label": t("plan_dataset", { name: d.name }),
                  onclick: () => {
                    state.datasetId = d.id;
                    state.rosterId = null;
                    go("plan");
                  },
                }),
              ),
          },
        ],
        rows,
      ),
    );
    return panel;
  }

  function uploadPanel() {
    const files = h("input", {
      id: "upload-files",
      type: "file",
      multiple: true,
      accept: ".xlsx,.xlsm,.csv,.zip",
      required: true,
    });
    const name = h("input", { id: "upload-name", type: "text", maxlength: 200 });
    const result = h("div", { id: "upload-result", "aria-live": "polite" });
    const form = h(
      "form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          const body = new FormData();
          for (const file of files.files) body.append("files", file, file.name);
          if (name.value.trim()) body.append("name", name.value.trim());
          await act(form.querySelector("button"), async () => {
            result.replaceChildren(h("p", { class: "muted", text: t("uploading") }));
            try {
              const stored = await api("POST", "/datasets", { form: body });
              state.datasetId = stored.id;
              await refreshDatasets();
              await render();
              const box = document.getElementById("upload-result");
              box.replaceChildren(uploaded(stored));
            } catch (error) {
              result.replaceChildren(uploadErrors(error));
            }
          });
        },
      },
      h("div", { class: "row" }, field(t("files"), files, "grow"), field(t("dataset_name_optional"), name, "grow")),
      h("p", {}, h("button", { type: "submit", class: "primary", text: t("upload") })),
    );
    return h(
      "section",
      { class: "panel", "aria-labelledby": "upload-title" },
      h("h2", { id: "upload-title", text: t("upload_title") }),
      h("p", { class: "muted", text: t("upload_help") }),
      h("p", {}, h("a", { href: "/ui/template.xlsx", download: true, text: t("download_template") })),
      form,
      result,
    );
  }

  function issueTable(issues, caption) {
    return table(
      [
        { label: t("file"), get: (i) => i.file || "" },
        { label: t("row"), get: (i) => (i.row === null || i.row === undefined ? "" : String(i.row)) },
        { label: t("column"), get: (i) => i.column || "" },
        { label: t("message"), get: (i) => i.message },
      ],
      issues,
      caption,
    );
  }

  function uploaded(stored) {
    const box = h(
      "div",
      {},
      h("p", {
        class: "success",
        text: t("upload_stored", {
          name: stored.name,
          id: stored.id,
          volunteers: stored.counts.volunteers,
          needs: stored.counts.needs,
        }),
      }),
    );
    if (stored.warnings && stored.warnings.length) {
      box.append(issueTable(stored.warnings, t("upload_warnings", { count: stored.warnings.length })));
    }
    return box;
  }

  function uploadErrors(error) {
    const errors = error.body && error.body.errors;
    if (!Array.isArray(errors)) return h("p", { class: "error", role: "alert", text: error.message });
    return h(
      "div",
      { id: "upload-errors" },
      h("p", { class: "error", role: "alert", text: t("upload_failed", { count: errors.length }) }),
      issueTable(errors, t("upload_problems")),
    );
  }

  async function datasetRows(kind) {
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

  const skills = (list) => (list || []).map((s) => (s.level > 1 ? `${s.name}(${s.level})` : s.name)).join("、");
  const time = (item) => (item.start ? `${item.start}–${item.end || ""}` : "");

  /** The columns of each kind of row, with their texts in the language in force. */
  const BROWSE = {
    volunteers: () => [
      [t("id"), (v) => v.id],
      [t("name"), (v) => v.name],
      [t("department"), (v) => v.department],
      [t("volunteer_role"), (v) => label("volunteer_role", v.role)],
      [t("membership"), (v) => label("membership", v.membership)],
      [t("skills"), (v) => skills(v.skills)],
      [t("phone"), (v) => v.phone || ""],
    ],
    households: () => [
      [t("id"), (x) => x.id],
      [t("address"), (x) => x.address],
      [t("category"), (x) => label("household_category", x.category)],
      [t("area"), (x) => x.area || ""],
      [t("languages"), (x) => (x.languages || []).join("、")],
      [t("phone"), (x) => x.phone || ""],
    ],
    needs: () => [
      [t("id"), (n) => n.id],
      [t("title"), (n) => n.title],
      [t("category"), (n) => label("need_category", n.category)],
      [t("when"), (n) => `${n.date || t("any_day")} ${time(n)}`.trim()],
      [t("place"), (n) => n.location || n.household_id || ""],
      [t("team_size"), (n) => `${n.min_volunteers}–${n.max_volunteers}`],
      [t("priority"), (n) => String(n.priority)],
      [t("skills"), (n) => skills(n.skills)],
    ],
  };
  const KINDS = () => ({ volunteers: t("browse_volunteers"), households: t("browse_households"), needs: t("browse_needs") });

  async function browsePanel() {
    const dataset = currentDataset();
    const kind = state.filters.browseKind || "volunteers";
    const panel = h("section", { class: "panel", id: "browse", "aria-labelledby": "browse-title" });
    const kindChoice = h(
      "select",
      {
        id: "browse-kind",
        onchange: async (e) => {
          state.filters.browseKind = e.target.value;
          state.filters.browse = "";
          panel.replaceWith(await browsePanel());
        },
      },
      Object.entries(KINDS()).map(([k, text]) => option(k, text, k === kind)),
    );
    const filter = h("input", { id: "browse-filter", type: "search", value: state.filters.browse || "" });
    const count = h("p", { class: "muted", "aria-live": "polite" });
    const holder = h("div");
    panel.append(
      h("h2", { id: "browse-title", text: t("browse_title", { name: dataset.name }) }),
      h("div", { class: "row" }, field(t("show"), kindChoice), field(t("filter"), filter, "grow")),
      count,
      holder,
    );
    const { items, total } = await datasetRows(kind);
    const columns = BROWSE[kind]().map(([text, get]) => ({ label: text, get }));
    const draw = () => {
      state.filters.browse = filter.value;
      const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      const matching = items.filter((item) => {
        const text = columns.map((c) => c.get(item)).join(" ").toLowerCase();
        return words.every((w) => text.includes(w));
      });
      count.textContent = t("rows_shown", {
        shown: Math.min(matching.length, SHOWN_ROWS),
        matching: matching.length,
        total,
      });
      holder.replaceChildren(table(columns, matching.slice(0, SHOWN_ROWS)));
    };
    filter.addEventListener("input", draw);
    draw();
    return panel;
  }

  // ------------------------------------------------------------------ plan

  async function paintPlan(main) {
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

  // ------------------------------------------------------------------ answers

  async function paintAnswers(main) {
    const dataset = currentDataset();
    if (!dataset) {
      main.append(h("p", { class: "notice", text: t("choose_dataset_first") }));
      return;
    }
    const published = (await api("GET", `/rosters?dataset_id=${dataset.id}&published=true&limit=10`)).items;
    const plan = published.find((j) => !j.superseded_at);
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

  // ------------------------------------------------------------------ keys

  async function paintKeys(main) {
    const keys = await api("GET", "/keys");
    const role = h("select", { id: "key-role" }, ["viewer", "coordinator", "admin"].map((r) => option(r, label("key_role", r), r === "coordinator")));
    const who = h("input", { id: "key-label", type: "text", maxlength: 200 });
    const made = h("div", { id: "key-made", "aria-live": "polite" });
    const form = h(
      "form",
      {
        class: "panel",
        "aria-labelledby": "keys-new",
        onsubmit: async (event) => {
          event.preventDefault();
          await act(form.querySelector("button"), async () => {
            const key = await api("POST", "/keys", { json: { role: role.value, label: who.value.trim() } });
            await render();
            document.getElementById("key-made").replaceChildren(
              h("p", { class: "success", text: t("key_made", { label: key.label || key.prefix }) }),
              h("code", { class: "secret", id: "new-key", text: key.key }),
            );
          });
        },
      },
      h("h2", { id: "keys-new", text: t("new_key") }),
      h("p", { class: "muted", text: t("key_help") }),
      h("div", { class: "row" }, field(t("role"), role), field(t("key_label"), who, "grow"), h("button", { type: "submit", class: "primary", text: t("make_key") })),
    );
    main.append(form, made);
    main.append(
      h(
        "section",
        { class: "panel", "aria-labelledby": "keys-title" },
        h("h2", { id: "keys-title", text: t("keys") }),
        table(
          [
            { label: t("key_label"), get: (k) => k.label || "" },
            { label: t("key_prefix"), get: (k) => `mk_${k.prefix}_…` },
            { label: t("role"), get: (k) => label("key_role", k.role) },
            { label: t("created"), get: (k) => stamp(k.created_at) },
            {
              label: t("actions"),
              get: (k) =>
                k.revoked_at
                  ? h("span", { class: "badge cancelled", text: t("revoked_at", { when: stamp(k.revoked_at) }) })
                  : h("button", {
                      type: "button",
                      class: "danger",
                      text: t("revoke"),
                      "aria-label": t("revoke_key", { label: k.label || k.prefix }),
                      disabled: k.id === state.me.id,
                      onclick: (e) =>
                        act(e.target, async () => {
                          await api("DELETE", `/keys/${k.id}`);
                          toast(t("key_revoked", { label: k.label || k.prefix }));
                          await render();
                        }),
                    }),
            },
          ],
          keys.items || keys,
        ),
      ),
    );
  }

  // ------------------------------------------------------------------ start

  async function start() {
    await loadTexts();
    document.getElementById("lang").addEventListener("click", async () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      localStorage.setItem(LANG_STORE, state.lang);
      state.cache.clear(); // labels in answers follow the language
      await loadTexts();
      await render();
    });
    document.getElementById("signout").addEventListener("click", () => signOut());
    window.addEventListener("hashchange", () => render());
    if (state.key) {
      try {
        state.me = await api("GET", "/ui/key");
        await refreshDatasets();
      } catch (error) {
        sessionStorage.removeItem(KEY_STORE);
        state.key = "";
        state.me = null;
      }
    }
    await render();
  }

  start();
})();
