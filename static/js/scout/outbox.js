// The outbox: form entries kept on the tablet (IndexedDB, photos included) until the server
// has them. Each entry keeps the client_key made when the form was opened, so sending it
// twice (a lost answer, two tabs) still stores it once: the server deduplicates on that key.
const DB_NAME = "scout-outbox";
const STORE = "entries";
export const CHANGED = "scout:outbox-changed";

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

function changed() {
  window.dispatchEvent(new CustomEvent(CHANGED));
  try { new BroadcastChannel(DB_NAME).postMessage("changed"); } catch { /* old browser */ }
}

export async function put(entry) {
  await withStore("readwrite", (s) => s.put(entry));
  changed();
}
export const all = () => withStore("readonly", (s) => s.getAll());
export const get = (key) => withStore("readonly", (s) => s.get(key));
export async function remove(key) {
  await withStore("readwrite", (s) => s.delete(key));
  changed();
}

/** Keep a form's fields (File objects included) to send later. */
export async function keep(form, formData, label) {
  const fields = [...formData.entries()].filter(([, v]) => !(v instanceof File) || v.size > 0);
  const key = formData.get("client_key") || crypto.randomUUID();
  await put({ key, url: form.action, label, fields, created: Date.now(), state: "waiting", message: "" });
  return key;
}

function toFormData(fields) {
  const fd = new FormData();
  for (const [name, value] of fields) {
    if (value instanceof File) fd.append(name, value, value.name);
    else fd.append(name, value);
  }
  fd.set("queued", "1");
  return fd;
}

/** Whether an answer leaves the entry unsaved but worth sending again as it is: no readable
 * answer (a proxy's error page, a login page), an expired session, a timeout, too many
 * requests, or any server error (500, 502, 503 during a database restart...). */
export function sendAgainLater(response, body) {
  const s = response.status;
  return !body || s === 401 || s === 408 || s === 429 || s >= 500;
}

let flushing = null;

/** Send every waiting entry, one at a time. Stops at the first network failure. */
export function flush() {
  if (!navigator.onLine) return Promise.resolve({ sent: 0 });
  if (!flushing) {
    const run = () => sendAll().finally(() => { flushing = null; });
    flushing = navigator.locks ? navigator.locks.request(DB_NAME, run) : run();
  }
  return flushing;
}

async function sendAll() {
  let sent = 0;
  for (const entry of await all()) {
    if (entry.state !== "waiting") continue;
    let response;
    try {
      response = await fetch(entry.url, {
        method: "POST",
        body: toFormData(entry.fields),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch {
      break; // offline again: keep it for next time
    }
    const body = await response.json().catch(() => null);
    if (response.ok && body && body.ok) {
      await remove(entry.key);
      sent += 1;
    } else if (sendAgainLater(response, body)) {
      // Not stored: keep it, unchanged, and try again later.
      entry.message = response.redirected ? "login" : String(response.status);
      await put(entry);
      break;
    } else {
      const errors = Object.values(body.errors || {}).flat();
      entry.state = "attention";
      entry.errors = body.errors || {}; // shown next to the fields when the entry is reopened
      entry.message = errors.join(" ") || (body.error && body.error.message) || String(response.status);
      await put(entry);
    }
  }
  return { sent };
}
