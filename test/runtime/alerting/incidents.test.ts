// The incident lifecycle of cli-runtime.md §1.8 with a fake clock; a contact
// command appends one line per message to a file. Messages of different
// incidents may run at the same time, so the tests wait for the alerter to
// be idle before they depend on the order of lines of different incidents.

import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Alerter, type Notification, contactsFile, shellQuote } from "../../../runtime/alerting/index.js";
import { linesOf, notification, recordingLog, removeTempDirs, tempDir, writeContacts } from "./helpers.js";

afterAll(removeTempDirs);

interface Message {
  firing: boolean;
  name: string;
  id: string;
  start: number;
  stop: number | null;
  now: number;
  test: boolean;
  host: string;
}

/** An alerter whose only contact records every message it gets. */
function setup(now = 1000) {
  const stateDir = tempDir("incidents");
  const out = join(stateDir, "messages");
  const record = "{${firing|json}, ${name|json}, ${incident_id|json}, ${start|json}, ${stop|json}, ${now|json}, ${test|json}, ${host|json}}";
  // the JSON object is written through printf so that the line is exactly the expansion
  writeContacts(contactsFile(stateDir), [{ name: "recorder", exec: `printf '%s\\n' ${shellQuote(record)} >> ${shellQuote(out)}` }]);
  const log = recordingLog();
  const alerter = new Alerter({ contactsFile: contactsFile(stateDir), log, now });
  const messages = async (): Promise<Message[]> => {
    await alerter.idle();
    return linesOf(out).map((line) => {
      const [firing, name, id, start, stop, now, test, host] = JSON.parse(line.replace(/^\{/, "[").replace(/\}$/, "]")) as unknown[];
      return { firing, name, id, start, stop, now, test, host } as Message;
    });
  };
  return { alerter, log, messages };
}

const firing = (over: Partial<Notification> = {}) => notification({ firing: true, parameters: { host: "db1" }, ...over });
const resolved = (over: Partial<Notification> = {}) => notification({ firing: false, parameters: { host: "db1" }, ...over });

describe("incidents", () => {
  it("the first firing notification opens an incident and sends its opening at once", async () => {
    const { alerter, messages, log } = setup();
    alerter.receive(firing({ event_time: 990 }));
    const [open, ...rest] = await messages();
    expect(rest).toEqual([]);
    expect(open).toMatchObject({ firing: true, name: "disk full", start: 990, stop: null, now: 1000, test: false, host: "db1" });
    expect(open!.id).not.toBe("");
    expect(alerter.openIncidents()).toEqual([{ name: "disk full", id: open!.id, start: 990, announced: true }]);
    expect(log.of("error")).toEqual([]);
    expect(log.of("warning")).toEqual([]);
  });

  it("ignores firing notifications of an incident already open", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing());
    alerter.receive(firing({ sent_time: 1001, event_time: 1001 }));
    alerter.tick(1002);
    alerter.receive(firing({ sent_time: 1002, event_time: 1002, parameters: { host: "db2" } }));
    expect(await messages()).toHaveLength(1);
    expect(alerter.openIncidents()).toHaveLength(1);
  });

  it("closes on a non-firing notification, with the same id; a later firing one opens a new incident", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ event_time: 1000 }));
    alerter.tick(1005);
    alerter.receive(resolved({ sent_time: 1006, event_time: 1004, parameters: { host: "db9" } }));
    expect(alerter.openIncidents()).toEqual([]);
    await alerter.idle();
    alerter.receive(firing({ sent_time: 1007, event_time: 1007 }));
    const [open, close, reopen] = await messages();
    expect(close).toMatchObject({ firing: false, id: open!.id, start: 1000, stop: 1004, now: 1005, host: "db9" });
    expect(reopen).toMatchObject({ firing: true, start: 1007, stop: null });
    expect(reopen!.id).not.toBe(open!.id);
  });

  it("ignores a non-firing notification without open incident", async () => {
    const { alerter, messages } = setup();
    alerter.receive(resolved());
    alerter.tick(1010);
    expect(await messages()).toEqual([]);
  });

  it("keeps one incident per name", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ name: "a" }));
    alerter.receive(firing({ name: "b" }));
    alerter.receive(resolved({ name: "a" }));
    const sent = await messages();
    expect(sent.filter((m) => m.name === "a").map((m) => m.firing)).toEqual([true, false]);
    expect(sent.filter((m) => m.name === "b").map((m) => m.firing)).toEqual([true]);
    expect(alerter.openIncidents().map((i) => i.name)).toEqual(["b"]);
  });

  it("closes by itself once timeout seconds have passed after the event time of the last firing notification", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ event_time: 1000, timeout: 10 }));
    alerter.tick(1005);
    alerter.receive(firing({ sent_time: 1008, event_time: 1007, timeout: 10, parameters: { host: "last" } }));
    alerter.tick(1016);
    expect(alerter.openIncidents()).toHaveLength(1);
    alerter.tick(1017);
    expect(alerter.openIncidents()).toEqual([]);
    const [open, close, ...rest] = await messages();
    expect(rest).toEqual([]);
    expect(close).toMatchObject({ firing: false, id: open!.id, start: 1000, stop: 1017, now: 1017, host: "last" });
  });

  it("without event time, the timeout runs from the sent time", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ sent_time: 1000, event_time: null, timeout: 3 }));
    alerter.tick(1002.9);
    alerter.tick(1003);
    expect((await messages()).map((m) => [m.firing, m.stop])).toEqual([
      [true, null],
      [false, 1003],
    ]);
  });

  it("a timeout of 0 never closes", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ timeout: 0 }));
    alerter.tick(1_000_000);
    expect(await messages()).toHaveLength(1);
    expect(alerter.openIncidents()).toHaveLength(1);
  });
});

describe("debounce", () => {
  it("delays the opening message by debounce seconds after the sent time", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ sent_time: 1000, debounce: 5 }));
    alerter.tick(1004);
    expect(await messages()).toEqual([]);
    expect(alerter.openIncidents()).toMatchObject([{ announced: false }]);
    alerter.tick(1005);
    alerter.tick(1006);
    const [open, ...rest] = await messages();
    expect(rest).toEqual([]);
    expect(open).toMatchObject({ firing: true, now: 1005, start: 1000 });
    alerter.receive(resolved({ sent_time: 1010, event_time: 1010 }));
    expect((await messages()).map((m) => m.firing)).toEqual([true, false]);
  });

  it("sends nothing when the incident closes within the delay", async () => {
    const { alerter, messages, log } = setup();
    alerter.receive(firing({ sent_time: 1000, debounce: 5 }));
    alerter.tick(1003);
    alerter.receive(resolved({ sent_time: 1004, event_time: 1004 }));
    alerter.tick(1010);
    expect(await messages()).toEqual([]);
    expect(alerter.openIncidents()).toEqual([]);
    expect(log.of("info").some((l) => l.includes("closed within its debounce delay"))).toBe(true);
  });

  it("sends nothing when the timeout comes before the end of the delay", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ sent_time: 1000, event_time: 1000, debounce: 10, timeout: 4 }));
    alerter.tick(1020);
    expect(await messages()).toEqual([]);
    expect(alerter.openIncidents()).toEqual([]);
  });

  it("sends the opening then the closing when both fell between two ticks, in that order", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ sent_time: 1000, event_time: 1000, debounce: 2, timeout: 5 }));
    alerter.tick(1010);
    await alerter.idle();
    alerter.receive(firing({ sent_time: 1011, event_time: 1011, debounce: 2 }));
    alerter.tick(1012);
    // the next tick is late: the opening was due at 1013, before this closing
    alerter.receive(resolved({ sent_time: 1013.5, event_time: 1013.5 }));
    expect((await messages()).map((m) => [m.firing, m.start, m.stop])).toEqual([
      [true, 1000, null],
      [false, 1000, 1005],
      [true, 1011, null],
      [false, 1011, 1013.5],
    ]);
  });
});

describe("test notifications", () => {
  it("are delivered once each, never deduplicated, and open no incident", async () => {
    const { alerter, messages } = setup();
    alerter.receive(firing({ test: true }));
    alerter.receive(firing({ test: true, debounce: 60 }));
    alerter.receive(firing({ test: true, firing: false }));
    const sent = await messages();
    expect(sent.map((m) => [m.test, m.firing, m.stop]).sort()).toEqual([
      [true, false, 1000],
      [true, true, null],
      [true, true, null],
    ]);
    expect(new Set(sent.map((m) => m.id)).size).toBe(3);
    expect(alerter.openIncidents()).toEqual([]);
    // a real notification of the same name still opens its incident
    alerter.receive(firing());
    expect((await messages()).at(-1)).toMatchObject({ test: false, firing: true });
  });
});
