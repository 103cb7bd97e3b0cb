// Helpers for commander options shared by the commands.

/** Accumulates the values of a repeatable option (`-L a -L b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
