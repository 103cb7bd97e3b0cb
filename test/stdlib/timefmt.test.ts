import { describe, expect, it } from "vitest";
import { formatTime, parseTime } from "../../stdlib/timefmt.js";
import { inTimeZone } from "../time-zone.js";

// Expected times computed by hand / with Python's datetime in UTC.
inTimeZone("UTC");

describe("formatTime", () => {
  it("formats every directive", () => {
    expect(formatTime("%Y-%m-%d %H:%M:%S", 0)).toBe("1970-01-01 00:00:00.00");
    expect(formatTime("%S", 5.25)).toBe("05.25");
    expect(formatTime("%S", 65.999)).toBe("06.00");
    expect(formatTime("%j|%u|%s", 1e9)).toBe("251|0|1000000000");
    expect(formatTime("%j", 0)).toBe("0");
    expect(formatTime("%j", 1709251199)).toBe("59");
    expect(formatTime("%s", 1.5)).toBe("1.5");
    expect(formatTime("a%nb%tc", 0)).toBe("a\nb\tc");
  });
  it("copies other text and unknown directives", () => {
    expect(formatTime("%q %% 100%", 0)).toBe("%q %% 100%");
  });
  it("uses the local time zone", () => {
    process.env.TZ = "Asia/Kolkata";
    expect(formatTime("%Y-%m-%d %H:%M", 0)).toBe("1970-01-01 05:30");
  });
  it("handles times before 1970", () => {
    expect(formatTime("%Y-%m-%d %H:%M:%S", -0.5)).toBe("1969-12-31 23:59:59.50");
  });
});

describe("parseTime", () => {
  const now = 1e9; // 2001-09-09 01:46:40 UTC, a Sunday
  it("reads clock times as the next such moment", () => {
    expect(parseTime("10:00", now)).toBe(1000029600);
    expect(parseTime("01:46", now)).toBe(1000086360);
    expect(parseTime("01:47", now)).toBe(1000000020);
    expect(parseTime("1:00pm", now)).toBe(1000040400);
    expect(parseTime("12:00AM", now)).toBe(1000080000);
    expect(parseTime("12:15pm", now)).toBe(1000037700);
    expect(parseTime("0:30pm", now)).toBeNull();
    expect(parseTime("24:00", now)).toBeNull();
    expect(parseTime("10:60", now)).toBeNull();
  });
  it("reads named times and now", () => {
    expect(parseTime("midnight", now)).toBe(1000080000);
    expect(parseTime("NOON", now)).toBe(1000036800);
    expect(parseTime("TeaTime", now)).toBe(1000051200);
    expect(parseTime("now", now)).toBe(now);
  });
  it("reads timestamps, before the all-digit date form", () => {
    expect(parseTime("1234567890", now)).toBe(1234567890);
    expect(parseTime("-1.5", now)).toBe(-1.5);
    expect(parseTime("12252023", now)).toBe(12252023);
  });
  it("reads dates", () => {
    expect(parseTime("29.02.2024", now)).toBe(1709164800);
    expect(parseTime("29.02.2023", now)).toBeNull();
    expect(parseTime("12/25/2023", now)).toBe(1703462400);
    expect(parseTime("12/25/23", now)).toBe(1703462400);
    expect(parseTime("2023-12-25", now)).toBe(1703462400);
    expect(parseTime("2023-13-01", now)).toBeNull();
  });
  it("reads dates with times, rounding fractional seconds", () => {
    expect(parseTime("2018-03-24 18:20", now)).toBe(1521915600);
    expect(parseTime("2018-03-24T18:20:00.9", now)).toBe(1521915601);
    expect(parseTime("2018-03-24t18:20:00.4", now)).toBe(1521915600);
    expect(parseTime("2018-03-24 18:20:59.5", now)).toBe(1521915660);
    expect(parseTime("2018-03-24 18:20:60", now)).toBeNull();
  });
  it("needs the whole text to match", () => {
    for (const bad of ["", "soon", " now", "2018-03-24 ", "10:00 tomorrow", "1e", "constructor"]) expect(parseTime(bad, now), bad).toBeNull();
  });
  it("uses the local time zone", () => {
    process.env.TZ = "Asia/Kolkata";
    expect(parseTime("1970-01-01 05:30", now)).toBe(0);
    expect(parseTime("10:00", now)).toBe(1000009800);
  });
});
