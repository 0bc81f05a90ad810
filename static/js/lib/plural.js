// Plural forms for the page's language: the server sends one text per CLDR category
// ({"one": "{n} place", "other": "{n} places"}, six of them in Arabic), and the browser picks
// the category of a number with Intl.PluralRules. "{n}" is replaced by the number, written the
// page's way.
const rules = new Map();

export function plural(forms, n, locale = document.documentElement.lang || "it") {
  if (typeof forms === "string") return forms.replace("{n}", String(n));
  if (!rules.has(locale)) rules.set(locale, new Intl.PluralRules(locale));
  const text = forms[rules.get(locale).select(n)] ?? forms.other ?? Object.values(forms)[0];
  return text.replace("{n}", new Intl.NumberFormat(locale).format(n));
}
