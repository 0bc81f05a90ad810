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

async function keepForLater(form, formData) {
  await outbox.keep(form, formData, form.dataset.label || document.title);
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

for (const form of document.querySelectorAll("form[data-offline]")) {
  newKey(form);
  form.addEventListener("submit", (event) => submit(form, event));
}
