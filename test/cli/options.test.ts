// The repeating options of gc, archivist and supervisor (cli-runtime.md §6.11–6.13).

import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/errors.js";
import { periodSeconds, repeatEvery } from "../../cli/options.js";

describe("periodSeconds", () => {
  it("is undefined when absent, the bare default without a value, else the seconds given", () => {
    expect(periodSeconds(undefined, "--loop", 180)).toBeUndefined();
    expect(periodSeconds(false, "--loop", 180)).toBeUndefined();
    expect(periodSeconds(true, "--loop", 180)).toBe(180);
    expect(periodSeconds("2.5", "--gc-loop")).toBe(2.5);
  });

  it("refuses what is not a positive number of seconds", () => {
    for (const bad of ["0", "-1", "abc", "Infinity", ""]) {
      expect(() => periodSeconds(bad, "--gc-loop")).toThrow(UsageError);
      expect(() => periodSeconds(bad, "--gc-loop")).toThrow(`--gc-loop takes a positive number of seconds, not "${bad}"`);
    }
  });
});

describe("repeatEvery", () => {
  it("runs once without a period", async () => {
    let passes = 0;
    await repeatEvery(undefined, () => passes++);
    expect(passes).toBe(1);
  });

  it("runs again after each period, each pass awaited", async () => {
    let passes = 0;
    let running = false;
    await expect(
      repeatEvery(0.01, async () => {
        expect(running).toBe(false);
        running = true;
        await Promise.resolve();
        running = false;
        if (++passes === 3) throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(passes).toBe(3);
  });
});
