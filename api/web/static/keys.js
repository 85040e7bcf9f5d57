/* The Keys tab (admins): make and revoke API keys. */

import { act, api, field, h, label, option, render, stamp, state, t, table, toast } from "./core.js";

export async function paintKeys(main) {
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
