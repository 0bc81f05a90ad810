// Weekly windows ([{day, start, end}], Monday = 0) as text, the same way as
// scout/schedule.py format_schedule: days with the same hours grouped into runs,
// e.g. "Mon–Fri 09:00–13:00; Wed 14:00–16:00". dayNames: abbreviated, Monday first.

export function formatSchedule(windows, dayNames) {
  if (!Array.isArray(windows) || !windows.length) return "";
  const byHours = new Map();
  for (const w of windows) {
    const key = `${w.start}–${w.end}`;
    if (!byHours.has(key)) byHours.set(key, []);
    byHours.get(key).push(Number(w.day));
  }
  const groups = [...byHours.entries()].map(([hours, days]) => [hours, [...new Set(days)].sort((a, b) => a - b)]);
  groups.sort((a, b) => a[1][0] - b[1][0] || (a[0] < b[0] ? -1 : 1));
  return groups
    .map(([hours, days]) => {
      const runs = [];
      for (const d of days) {
        const last = runs.at(-1);
        if (last && d === last.at(-1) + 1) last.push(d);
        else runs.push([d]);
      }
      const text = runs
        .map((r) => (r.length === 1 ? dayNames[r[0]] : `${dayNames[r[0]]}–${dayNames[r.at(-1)]}`))
        .join(", ");
      return `${text} ${hours}`;
    })
    .join("; ");
}
