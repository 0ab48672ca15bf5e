// The one line a failed call shows: an Error's message (the services' envelope rebuilds their errors), else the value.
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
