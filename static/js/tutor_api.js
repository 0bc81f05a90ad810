// JSON calls to /api/v1 from the tutor pages: always POST (an address never goes in a URL),
// with the session's CSRF token.
const csrf = () => document.querySelector("meta[name=csrf-token]")?.content ?? "";

export class ApiError extends Error {}

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrf(),
    },
    body: JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(data?.error?.message ?? String(response.status));
  }
  return data;
}

// "{n} min" → "12 min"
export function fmt(text, values) {
  return String(text).replace(/\{(\w+)\}/g, (_m, key) => values[key] ?? "");
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
