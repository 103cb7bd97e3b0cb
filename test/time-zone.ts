// Tests that print or parse local times run in a chosen time zone, restored after.

import { afterEach, beforeEach } from "vitest";

/** Runs every test of the enclosing file or describe with TZ = `zone`. */
export function inTimeZone(zone: string): void {
  const saved = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = zone;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
