import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTimeRange, parseTime } from "../../../cli/format/time.js";
import { formatDate } from "../../../stdlib/format.js";
import { messageOf } from "./message-of.js";
import { inTimeZone } from "../../time-zone.js";

// Expected times from cli-runtime.md §7, computed with Date.UTC and the
// offsets of America/New_York (UTC−5 in January, UTC−4 in July).
inTimeZone("America/New_York");

const utc = (y: number, mon: number, d: number, h = 0, min = 0, s = 0) => Date.UTC(y, mon - 1, d, h, min, s) / 1000;
/** 2024-01-15 13:00 in New York. */
const NOW = utc(2024, 1, 15, 18);


describe("parseTime", () => {
  it("reads now and UNIX timestamps", () => {
    expect(parseTime("now", NOW)).toBe(NOW);
    expect(parseTime(" NOW ", NOW)).toBe(NOW);
    expect(parseTime("1234", NOW)).toBe(1234);
    expect(parseTime("1234.5", NOW)).toBe(1234.5);
    expect(parseTime(".5", NOW)).toBe(0.5);
  });

  it("reads times relative to now", () => {
    expect(parseTime("-10min", NOW)).toBe(NOW - 600);
    expect(parseTime("-10m", NOW)).toBe(NOW - 600);
    expect(parseTime("-30s", NOW)).toBe(NOW - 30);
    expect(parseTime("-1.5h", NOW)).toBe(NOW - 5400);
    expect(parseTime("+2d", NOW)).toBe(NOW + 172_800);
    expect(parseTime("-1w", NOW)).toBe(NOW - 604_800);
    expect(parseTime("-1mon", NOW)).toBe(NOW - 2_592_000);
    expect(parseTime("-1y", NOW)).toBe(NOW - 31_536_000);
    expect(parseTime("- 2 h", NOW)).toBe(NOW - 7200);
  });

  it("reads dates in local time", () => {
    expect(parseTime("2024-01-15", NOW)).toBe(utc(2024, 1, 15, 5));
    expect(parseTime("2024-01-15 10:20", NOW)).toBe(utc(2024, 1, 15, 15, 20));
    expect(parseTime("2024-01-15T10:20", NOW)).toBe(utc(2024, 1, 15, 15, 20));
    expect(parseTime("2024-01-15 10:20:30", NOW)).toBe(utc(2024, 1, 15, 15, 20, 30));
    expect(parseTime("2024-01-15T10:20:30.25", NOW)).toBe(utc(2024, 1, 15, 15, 20, 30) + 0.25);
    expect(parseTime("2024-07-04 12:00", NOW)).toBe(utc(2024, 7, 4, 16));
    expect(parseTime("15.01.2024", NOW)).toBe(utc(2024, 1, 15, 5));
    expect(parseTime("01/15/2024", NOW)).toBe(utc(2024, 1, 15, 5));
    expect(parseTime("2024-02-29", NOW)).toBe(utc(2024, 2, 29, 5));
  });

  it("reads dates with a zone as absolute times", () => {
    expect(parseTime("2024-01-15T10:20Z", NOW)).toBe(utc(2024, 1, 15, 10, 20));
    expect(parseTime("2024-01-15 10:20:30.5z", NOW)).toBe(utc(2024, 1, 15, 10, 20, 30) + 0.5);
    expect(parseTime("2024-01-15T10:20+02:00", NOW)).toBe(utc(2024, 1, 15, 8, 20));
    expect(parseTime("2024-01-15T10:20-05:30", NOW)).toBe(utc(2024, 1, 15, 15, 50));
  });

  it("reads times of the day as today", () => {
    expect(parseTime("10:20", NOW)).toBe(utc(2024, 1, 15, 15, 20));
    expect(parseTime("23:59", NOW)).toBe(utc(2024, 1, 16, 4, 59));
    expect(parseTime("midnight", NOW)).toBe(utc(2024, 1, 15, 5));
    expect(parseTime("noon", NOW)).toBe(utc(2024, 1, 15, 17));
  });

  it("rejects anything else", () => {
    for (const text of [
      "",
      "yesterday",
      "-10",
      "-10 parsecs",
      "10min",
      "2024-13-01",
      "2024-02-30",
      "2023-02-29",
      "2024-01-15 24:00",
      "2024-01-15 10:60",
      "2024-01-15Z",
      "2024-01-15T10:20+24:00",
      "25:00",
      "32.01.2024",
      "1/15/24",
      "teatime",
    ]) {
      expect(messageOf(() => parseTime(text, NOW))).toBe(`Cannot parse time "${text}"`);
    }
  });

  it("reads back the dates the CLI prints, to the second", () => {
    process.env.TZ = "Asia/Kolkata";
    fc.assert(
      fc.property(fc.double({ min: 0, max: 4e9, noNaN: true }), (t) => {
        expect(parseTime(formatDate(t), NOW)).toBe(Math.floor(t));
      }),
    );
  });
});

describe("checkTimeRange", () => {
  it("wants --since strictly before --until", () => {
    expect(() => checkTimeRange(1, 2)).not.toThrow();
    expect(messageOf(() => checkTimeRange(2, 2))).toBe("--since must be before --until");
    expect(messageOf(() => checkTimeRange(3, 2))).toBe("--since must be before --until");
  });
});
