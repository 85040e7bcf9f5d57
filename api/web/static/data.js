/* The Data tab: the datasets, uploads with their errors by row, the template, browsing. */

import { SHOWN_ROWS, act, api, can, chooseDataset, currentDataset, datasetRows, field, go, h, label, number, option, refreshDatasets, render, state, t, table, time } from "./core.js";

export async function paintData(main) {
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

const skills = (list) => (list || []).map((s) => (s.level > 1 ? `${s.name}(${s.level})` : s.name)).join("、");

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
