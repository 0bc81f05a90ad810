// Suggestions while typing: existing organisations (picking one links the place to it) and
// addresses from the gazetteer (picking one fills street, number and postcode).
const debounce = (fn, ms = 250) => {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
};

// Organisation names go in the query string; an address lookup is POSTed with the form's
// CSRF token, as it carries the pin (where the scout stands), which never goes in a URL.
async function suggest(input, params, post = false) {
  const url = new URL(input.dataset.lookup, window.location.href);
  const body = new FormData();
  for (const [k, v] of Object.entries(params)) if (v) (post ? body : url.searchParams).set(k, v);
  const options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (post) {
    body.set("csrf_token", document.querySelector("#place-form [name=csrf_token]")?.value || "");
    Object.assign(options, { method: "POST", body });
  }
  try {
    const response = await fetch(url, options);
    return response.ok ? await response.json() : null;
  } catch { return null; }
}

function fill(list, labels) {
  list.replaceChildren(...labels.map((label) => {
    const option = document.createElement("option");
    option.value = label;
    return option;
  }));
}

const orgInput = document.querySelector("#place-form [name=organisation_name]");
if (orgInput) {
  const orgId = document.querySelector("#place-form [name=organisation_id]");
  const picked = document.getElementById("organisation-picked");
  let found = [];
  orgInput.addEventListener("input", debounce(async () => {
    const match = found.find((o) => o.name === orgInput.value);
    orgId.value = match ? match.id : "";
    if (match) {
      picked.textContent = `✓ ${match.name} (${match.kind_label})`;
      const kind = document.querySelector("#place-form [name=kind]");
      if (kind) kind.value = match.kind;
      return;
    }
    const body = await suggest(orgInput, { q: orgInput.value });
    found = body?.organisations || [];
    fill(document.getElementById("organisation-suggestions"), found.map((o) => o.name));
  }));
}

const streetInput = document.querySelector("#place-form [name=street]");
if (streetInput) {
  let found = [];
  streetInput.addEventListener("input", debounce(async () => {
    const match = found.find((a) => a.label === streetInput.value);
    if (match) {
      streetInput.value = match.street;
      document.querySelector("#place-form [name=civic_number]").value = match.housenumber || "";
      if (match.postcode) document.querySelector("#place-form [name=postcode]").value = match.postcode;
      return;
    }
    const lon = document.querySelector("#place-form [name=lon]").value;
    const lat = document.querySelector("#place-form [name=lat]").value;
    const body = await suggest(streetInput, { q: streetInput.value, lon, lat }, true);
    found = body?.addresses || [];
    fill(document.getElementById("address-suggestions"), found.map((a) => a.label));
  }));
}
