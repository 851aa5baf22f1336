// The site's offset from UTC, as the hub says at sign-in: the console writes
// every time in the campus's time, whatever zone the browser is set to (a
// duty room's PC set to UTC, a visiting inspector's phone).

let offsetMinutes: number | null = null;

export function setSiteOffset(minutes: number | null): void {
  offsetMinutes = minutes;
}

export function siteOffset(): number | null {
  return offsetMinutes;
}
