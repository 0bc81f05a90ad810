// Offline-capable forms (<form data-offline>): sent with fetch; field errors and the
// server's panels (possible duplicates, edit conflicts) are shown in place; when the
// connection is missing or the server did not store it (500, 503...) the entry is kept in
// the outbox and sent later, exactly once.
import * as outbox from "./outbox.js";
import { messages } from "./status.js";

function newKey(form) {
  const input = form.querySelector("[data-client-key]");
  if (input && !form.querySelector("[name=version]")?.value) input.value = crypto.randomUUID();
}

function clearErrors(form) {
  form.querySelectorAll(".js-error").forEach((e) => e.remove());
  form.querySelectorAll(".is-invalid").forEach((e) => e.classList.remove("is-invalid"));
}

function showErrors(form, errors) {
  let first = null;
  for (const [name, list] of Object.entries(errors || {})) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const box = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`)
      || input?.closest(".mb-3") || form.querySelector("[data-form-messages]");
    if (input && input.type !== "hidden") input.classList.add("is-invalid");
    for (const text of list) {
      const div = document.createElement("div");
      div.className = "invalid-feedback d-block js-error";
      div.textContent = text;
      box.appendChild(div);
    }
    first = first || box;
  }
  first?.scrollIntoView({ block: "center" });
}

function setBusy(form, busy) {
  form.querySelectorAll("[type=submit]").forEach((b) => { b.disabled = busy; });
  form.setAttribute("aria-busy", busy ? "true" : "false");
}

// The outbox row names what was entered ("Place: Panetteria Rossi"), so that two places kept
// on the tablet can be told apart.
function entryLabel(form) {
  const label = form.dataset.label || document.title;
  const name = form.elements.namedItem("name")?.value?.trim();
  return name && !label.includes(name) ? `${label}: ${name}` : label;
}

async function keepForLater(form, formData) {
  await outbox.keep(form, formData, entryLabel(form));
  const note = form.querySelector("[data-form-queued]");
  note.textContent = messages.queued;
  note.hidden = false;
  note.scrollIntoView({ block: "center" });
  form.reset();
  newKey(form);
  form.dispatchEvent(new CustomEvent("scout:queued", { bubbles: true }));
}

async function submit(form, event) {
  event.preventDefault();
  const formData = new FormData(form, event.submitter);
  const panel = form.querySelector("[data-form-messages]");
  clearErrors(form);
  form.querySelector("[data-form-queued]").hidden = true;
  if (!navigator.onLine) return keepForLater(form, formData);
  setBusy(form, true);
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST", body: formData, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
  } catch {
    setBusy(form, false);
    return keepForLater(form, formData); // the connection dropped while sending
  }
  setBusy(form, false);
  const body = await response.json().catch(() => null);
  if (response.ok && body?.ok) {
    // A reopened outbox entry is stored now: it leaves the tablet.
    if (form.dataset.outboxKey) await outbox.remove(form.dataset.outboxKey);
    window.location.assign(body.redirect);
    return;
  }
  // Only a success means the server has it: a server error (the database restarting) or an
  // unreadable answer keeps the entry on the tablet, to be sent again.
  if (outbox.sendAgainLater(response, body)) return keepForLater(form, formData);
  panel.innerHTML = body?.html || "";
  if (body?.version && form.elements.version) form.elements.version.value = body.version;
  if (body?.errors && Object.keys(body.errors).length) showErrors(form, body.errors);
  else if (body?.html) panel.scrollIntoView({ block: "start" });
  else {
    const div = document.createElement("div");
    div.className = "alert alert-danger js-error";
    div.setAttribute("role", "alert");
    div.textContent = body?.error?.message || messages.error;
    panel.appendChild(div);
  }
}

// Reopening an entry the server refused (the outbox's "Open and correct" link, #outbox=KEY):
// the form gets what the scout had entered, photos included, with the server's messages next
// to the fields; saving it sends it again under the same key, so it is still stored once.
function fill(form, fields) {
  const values = new Map();
  for (const [name, value] of fields) values.set(name, [...(values.get(name) || []), value]);
  const seen = new Map();
  for (const el of form.elements) {
    const { name, type } = el;
    if (!name || name === "csrf_token" || type === "submit" || type === "button") continue;
    const given = values.get(name) || [];
    if (type === "checkbox" || type === "radio") {
      el.checked = given.includes(el.value);
    } else if (type === "file") {
      const files = new DataTransfer();
      given.filter((v) => v instanceof File).forEach((f) => files.items.add(f));
      el.files = files.files;
    } else if (el.multiple && el.options) {
      for (const option of el.options) option.selected = given.includes(option.value);
    } else {
      const i = seen.get(name) || 0;
      seen.set(name, i + 1);
      el.value = given[i] ?? "";
    }
  }
}

async function reopen(form, key) {
  const entry = await outbox.get(key).catch(() => null);
  if (!entry) return;
  fill(form, entry.fields);
  form.dataset.outboxKey = key;
  const panel = form.querySelector("[data-form-messages]");
  const note = document.createElement("div");
  note.className = "alert alert-warning js-error";
  note.id = "reopened-entry";
  note.setAttribute("role", "alert");
  note.textContent = `${messages.reopened} ${entry.message || ""}`.trim();
  panel.replaceChildren(note);
  form.dispatchEvent(new CustomEvent("scout:restored", { bubbles: true }));
  if (entry.errors && Object.keys(entry.errors).length) showErrors(form, entry.errors);
  else note.scrollIntoView({ block: "center" });
}

const reopenKey = new URLSearchParams(location.hash.slice(1)).get("outbox");
for (const form of document.querySelectorAll("form[data-offline]")) {
  newKey(form);
  form.addEventListener("submit", (event) => submit(form, event));
  if (reopenKey) reopen(form, reopenKey);
}
