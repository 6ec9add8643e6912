/** RFC 3339 in UTC with milliseconds and `Z` (`2026-11-22T23:35:36.123Z`): the one timestamp format of the API. */
export function rfc3339(value: Date): string;
export function rfc3339(value: Date | null | undefined): string | null;
export function rfc3339(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}
