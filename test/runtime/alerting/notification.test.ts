import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type NotificationInput, appendToJournal, makeNotification, notificationsJournal } from "../../../runtime/alerting/index.js";
import { notification, removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

function input(parameters: Record<string, string>, over: Partial<NotificationInput> = {}): NotificationInput {
  return { site: "s", worker: "CLI", sent_time: 50, event_time: null, name: "n", parameters, ...over };
}

describe("makeNotification", () => {
  it("defaults: firing, certainty 0.5, no debounce, no timeout, not a test", () => {
    const { notification: n, warnings } = makeNotification(input({ host: "db1" }));
    expect(n).toEqual({
      site: "s",
      worker: "CLI",
      sent_time: 50,
      event_time: null,
      name: "n",
      test: false,
      firing: true,
      certainty: 0.5,
      debounce: 0,
      timeout: 0,
      parameters: { host: "db1" },
    });
    expect(warnings).toEqual([]);
  });

  it("interprets firing, certainty, debounce and timeout in any case and takes them out of the parameters", () => {
    const { notification: n, warnings } = makeNotification(
      input({ FIRING: "False", Certainty: " 0.9 ", debounce: "2.5", TimeOut: "1e1", host: "db1" }, { test: true }),
    );
    expect(n).toMatchObject({ firing: false, certainty: 0.9, debounce: 2.5, timeout: 10, test: true, parameters: { host: "db1" } });
    expect(Object.keys(n.parameters)).toEqual(["host"]);
    expect(warnings).toEqual([]);
  });

  it("keeps a value that does not parse as an ordinary parameter, with a warning", () => {
    const bad = { firing: "maybe", certainty: "1.5", Debounce: "-1", timeout: "10s", other: "x" };
    const { notification: n, warnings } = makeNotification(input(bad));
    expect(n).toMatchObject({ firing: true, certainty: 0.5, debounce: 0, timeout: 0 });
    expect(n.parameters).toEqual(bad);
    expect(warnings.map((w) => [w.code, w.severity, w.message])).toEqual([
      ["RQ6250", "warning", 'notification n: parameter firing = "maybe" is not a boolean (true or false); kept as an ordinary parameter'],
      ["RQ6250", "warning", 'notification n: parameter certainty = "1.5" is not a number between 0 and 1; kept as an ordinary parameter'],
      ["RQ6250", "warning", 'notification n: parameter Debounce = "-1" is not a non-negative number of seconds; kept as an ordinary parameter'],
      ["RQ6250", "warning", 'notification n: parameter timeout = "10s" is not a non-negative number of seconds; kept as an ordinary parameter'],
    ]);
  });

  it("rejects numbers JavaScript would accept but are not decimals", () => {
    for (const text of ["", " ", "0x10", "Infinity", "1_000", "NaN"]) {
      expect(makeNotification(input({ timeout: text })).warnings).toHaveLength(1);
    }
  });

  it("keeps a parameter named __proto__ as a parameter", () => {
    const parameters = JSON.parse('{"__proto__": "p", "a": "b"}') as Record<string, string>;
    const { notification: n } = makeNotification(input(parameters));
    expect(Object.hasOwn(n.parameters, "__proto__")).toBe(true);
    expect(JSON.parse(JSON.stringify(n.parameters))).toEqual(parameters);
  });

  it("an event time that is not a number is no event time", () => {
    expect(makeNotification(input({}, { event_time: NaN })).notification.event_time).toBeNull();
    expect(makeNotification(input({}, { event_time: 12.5 })).notification.event_time).toBe(12.5);
  });
});

describe("the journal", () => {
  it("appends one JSON line per notification, with the fields in the order of the spec, creating the directory", () => {
    const stateDir = tempDir("journal");
    const file = notificationsJournal(stateDir);
    expect(file).toBe(join(stateDir, "alerting", "notifications.jsonl"));
    const first = makeNotification(input({ msg: 'a "quoted"\nline', certainty: "1" })).notification;
    const second = notification({ name: "other", firing: false, event_time: null });
    appendToJournal(file, first);
    appendToJournal(file, second);
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(lines.slice(0, 2).map((l) => JSON.parse(l) as unknown)).toEqual([first, second]);
    const keys = Object.keys(JSON.parse(lines[0]!) as object);
    expect(keys).toEqual(["site", "worker", "sent_time", "event_time", "name", "test", "firing", "certainty", "debounce", "timeout", "parameters"]);
  });
});
