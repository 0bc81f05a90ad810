// The scout pages' status bar: online/offline, how many entries wait on the tablet, the
// outbox list on the home page; registers the service worker and sends the outbox
// whenever the connection comes back.
import * as outbox from "./outbox.js";

export const messages = JSON.parse(document.getElementById("scout-messages")?.textContent || "{}");
const bar = document.getElementById("connection-bar");

function showConnection() {
  const state = document.getElementById("connection-state");
  if (!state) return;
  const online = navigator.onLine;
  state.dataset.state = online ? "online" : "offline";
  state.className = `badge ${online ? "text-bg-success" : "text-bg-danger"}`;
  state.textContent = online ? messages.online : messages.offline;
}

function entryItem(entry) {
  const li = document.createElement("li");
  li.className = "list-group-item d-flex justify-content-between align-items-center gap-2";
  li.dataset.key = entry.key;
  li.dataset.state = entry.state;
  const text = document.createElement("span");
  const when = new Date(entry.created).toLocaleString();
  text.textContent = `${entry.label} · ${when} · ${entry.state === "attention" ? messages.attention : messages.waiting}`;
  if (entry.message && entry.message !== "login") {
    const small = document.createElement("small");
    small.className = "d-block text-danger";
    small.textContent = entry.message;
    text.appendChild(small);
  }
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "btn btn-outline-danger";
  discard.textContent = messages.discard;
  discard.addEventListener("click", async () => {
    if (window.confirm(messages.discard_confirm)) await outbox.remove(entry.key);
  });
  const actions = document.createElement("span");
  actions.className = "d-flex flex-wrap gap-2";
  if (entry.state === "attention") {
    // Refused by the server: she opens it, corrects it and saves it again (nothing is lost).
    const open = document.createElement("a");
    open.className = "btn btn-primary";
    open.href = `${entry.url}#outbox=${encodeURIComponent(entry.key)}`;
    open.textContent = messages.reopen;
    open.dataset.reopen = entry.key;
    actions.append(open);
  }
  actions.append(discard);
  li.append(text, actions);
  return li;
}

export async function showOutbox() {
  let entries = [];
  try { entries = await outbox.all(); } catch { return; }
  const count = entries.length;
  const badge = document.getElementById("outbox-status");
  if (badge) {
    badge.hidden = count === 0;
    badge.dataset.count = String(count);
    document.getElementById("outbox-count").textContent = String(count);
  }
  const list = document.getElementById("outbox-list");
  if (list) {
    list.replaceChildren(...entries.map(entryItem));
    document.getElementById("outbox-total").textContent = String(count);
    document.getElementById("outbox-empty").hidden = count > 0;
    document.getElementById("outbox-send").hidden = count === 0;
  }
}

async function send() {
  await outbox.flush();
  await showOutbox();
}

if (bar) {
  showConnection();
  showOutbox();
  window.addEventListener("online", () => { showConnection(); send(); });
  window.addEventListener("offline", showConnection);
  window.addEventListener(outbox.CHANGED, showOutbox);
  try { new BroadcastChannel("scout-outbox").onmessage = showOutbox; } catch { /* old browser */ }
  document.getElementById("outbox-send")?.addEventListener("click", send);
  setInterval(() => { if (navigator.onLine) send(); }, 60_000);
  if (navigator.onLine) send();
  if ("serviceWorker" in navigator && bar.dataset.swUrl) {
    navigator.serviceWorker.register(bar.dataset.swUrl, { scope: bar.dataset.swScope }).catch(() => {});
    // Keep (or refresh) the service area's basemap for use without a connection.
    if (navigator.onLine && bar.dataset.basemapOffline === "true") navigator.serviceWorker.ready.then((r) => r.active?.postMessage("keep-basemap"));
  }
  // Staff pages kept for offline use are removed when the scout logs out.
  const logout = document.querySelector(`form[action="${bar.dataset.logoutUrl}"]`);
  logout?.addEventListener("submit", () => {
    if ("caches" in window) caches.keys().then((keys) => keys.forEach((k) => caches.delete(k)));
  });
}
