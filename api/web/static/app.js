/* The coordinators' page (issue 16): the frame, signing in and out, and the start.
 *
 * Plain JavaScript modules, no build step, no CDN: core.js holds what every
 * tab shares, and each tab is its own module (data, requests, plan, answers, day,
 * ledger, what if, pairing, keys).
 */

import { KEY_STORE, LANG_STORE, TABS, act, api, can, chooseDataset, field, go, h, hooks, label, option, refreshDatasets, state, t, toast } from "./core.js";
import { paintData } from "./data.js";
import { paintPlan } from "./plan.js";
import { paintAnswers } from "./answers.js";
import { paintKeys } from "./keys.js";
import { paintRequests } from "./requests.js";
import { paintDay } from "./day.js";
import { paintLedger } from "./ledger.js";
import { paintWhatif } from "./whatif.js";
import { paintPairing } from "./pairing.js";

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
  // the visible word stays the accessible name (WCAG 2.5.3); the title says what it does
  lang.setAttribute("title", t("switch_language"));
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
  return {
    data: t("tab_data"),
    requests: t("tab_requests"),
    plan: t("tab_plan"),
    answers: t("tab_answers"),
    day: t("tab_day"),
    ledger: t("tab_ledger"),
    whatif: t("tab_whatif"),
    pairing: t("tab_pairing"),
    keys: t("tab_keys"),
  }[tab];
}

async function paint() {
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
  const painters = {
    data: paintData,
    requests: paintRequests,
    plan: paintPlan,
    answers: paintAnswers,
    day: paintDay,
    ledger: paintLedger,
    whatif: paintWhatif,
    pairing: paintPairing,
    keys: paintKeys,
  };
  try {
    await painters[state.tab](view);
  } catch (error) {
    view.append(h("p", { class: "error", role: "alert", text: error.message }));
  }
}

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
  await paint();
}

function signOut(reason) {
  sessionStorage.removeItem(KEY_STORE);
  state.key = "";
  state.me = null;
  state.cache.clear();
  paint();
  if (reason) toast(reason, true);
}

async function start() {
  hooks.render = paint;
  hooks.signOut = signOut;
  await loadTexts();
  document.getElementById("lang").addEventListener("click", async () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem(LANG_STORE, state.lang);
    state.cache.clear(); // labels in answers follow the language
    await loadTexts();
    await paint();
  });
  document.getElementById("signout").addEventListener("click", () => signOut());
  window.addEventListener("hashchange", () => paint());
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
  await paint();
}

start();
