// Delivery to the contacts of alerting/contacts.json (cli-runtime.md §1.8):
// the file read at each delivery, its errors, Exec commands and their limit
// of 5 running at a time.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Alerter, ExecPool, contactsFile, readContacts, shellQuote } from "../../../runtime/alerting/index.js";
import { linesOf, notification, recordingLog, removeTempDirs, tempDir, writeContacts } from "./helpers.js";

afterAll(removeTempDirs);

function alerterIn(stateDir: string) {
  const log = recordingLog();
  return { log, alerter: new Alerter({ contactsFile: contactsFile(stateDir), log, now: 1000, hostname: "box" }) };
}

/** A command appending `text` (a template) as one line to `file`. */
const appendLine = (text: string, file: string): string => `printf '%s\\n' "${text}" >> ${shellQuote(file)}`;

describe("the contacts file", () => {
  it("lives at alerting/contacts.json", () => {
    expect(contactsFile("/state")).toBe("/state/alerting/contacts.json");
  });

  it("every contact gets each message", async () => {
    const dir = tempDir("contacts");
    const [ops, dev] = [join(dir, "ops"), join(dir, "dev")];
    writeContacts(contactsFile(dir), [
      { name: "ops", exec: appendLine("ops ${name} ${firing}", ops) },
      { name: "dev", exec: appendLine("dev ${name} ${firing}", dev) },
    ]);
    const { alerter, log } = alerterIn(dir);
    alerter.receive(notification({ name: "cpu" }));
    await alerter.idle();
    alerter.receive(notification({ name: "cpu", firing: false }));
    await alerter.idle();
    expect(linesOf(ops)).toEqual(["ops cpu true", "ops cpu false"]);
    expect(linesOf(dev)).toEqual(["dev cpu true", "dev cpu false"]);
    expect(log.of("error")).toEqual([]);
  });

  it("is read at each delivery, so that edits apply at once", async () => {
    const dir = tempDir("contacts");
    const [first, second] = [join(dir, "first"), join(dir, "second")];
    writeContacts(contactsFile(dir), [{ name: "c", exec: appendLine("${firing}", first) }]);
    const { alerter } = alerterIn(dir);
    alerter.receive(notification());
    await alerter.idle();
    writeContacts(contactsFile(dir), [{ name: "c", exec: appendLine("${firing}", second) }]);
    alerter.receive(notification({ firing: false }));
    await alerter.idle();
    expect([linesOf(first), linesOf(second)]).toEqual([["true"], ["false"]]);
  });

  it("when missing, means no contact and no error", async () => {
    const dir = tempDir("contacts");
    const { alerter, log } = alerterIn(dir);
    alerter.receive(notification());
    await alerter.idle();
    expect(log.of("error")).toEqual([]);
    expect(alerter.openIncidents()).toHaveLength(1);
  });

  it("when not JSON, is a logged error and nobody gets the message", async () => {
    const dir = tempDir("contacts");
    mkdirSync(join(dir, "alerting"));
    writeFileSync(contactsFile(dir), '{"contacts": [');
    const { alerter, log } = alerterIn(dir);
    alerter.receive(notification());
    await alerter.idle();
    expect(log.of("error")).toHaveLength(1);
    expect(log.of("error")[0]).toMatch(new RegExp(`^${contactsFile(dir)}: not valid JSON: `));
  });

  it("reports each faulty contact and keeps the others", () => {
    const dir = tempDir("contacts");
    const file = contactsFile(dir);
    mkdirSync(join(dir, "alerting"));
    writeFileSync(
      file,
      JSON.stringify({
        contacts: [
          { name: "good", via: { Exec: "true" } },
          { name: "log", via: { SysLog: {} } },
          { name: "pager", via: { Pager: "x" } },
          { name: "two", via: { Exec: "a", Kafka: {} } },
          { name: "num", via: { Exec: 42 } },
          { via: { Exec: "b" } },
          "ops",
        ],
        teams: [],
      }),
    );
    const { contacts, errors } = readContacts(file);
    expect(contacts).toEqual([{ name: "good", exec: "true" }]);
    expect(errors.map((e) => `${e.code} ${e.message.slice(file.length + 2)}`)).toEqual([
      'RQ6202 unknown key "teams" (allowed: contacts)',
      "RQ6203 contact log: SysLog contacts are not supported (only Exec)",
      'RQ6202 contact pager: unknown kind of contact "Pager" (known: Exec)',
      'RQ6202 contact two: via must be an object with one key such as {"Exec": "<command>"}, got {"Exec":"a","Kafka":{}}',
      "RQ6202 contact num: Exec must be a command string, got number 42",
      "RQ6202 contact #6: name must be a string, got nothing",
      'RQ6202 contact #7 must be an object, got string "ops"',
    ]);
  });

  it("without a contacts list, is one error", () => {
    const dir = tempDir("contacts");
    const file = contactsFile(dir);
    mkdirSync(join(dir, "alerting"));
    writeFileSync(file, "[]");
    expect(readContacts(file).errors.map((e) => e.message)).toEqual([`${file}: expected an object {"contacts": [...]}`]);
  });
});

describe("Exec", () => {
  it("logs a command exiting with a non-zero code, with the end of its stderr", async () => {
    const dir = tempDir("exec");
    writeContacts(contactsFile(dir), [{ name: "ops", exec: "echo boom >&2; exit 3" }]);
    const { alerter, log } = alerterIn(dir);
    alerter.receive(notification());
    await alerter.idle();
    expect(log.of("error")).toEqual(['contact ops: command "echo boom >&2; exit 3" exited with code 3: boom']);
  });

  it("logs a command killed by a signal", async () => {
    const log = recordingLog();
    const pool = new ExecPool(log);
    pool.run("ops", "kill -TERM $$");
    await pool.idle();
    expect(log.of("error")).toEqual(['contact ops: command "kill -TERM $$" was killed by SIGTERM']);
  });

  it("logs a command that cannot start and goes on with the next ones", async () => {
    const dir = tempDir("exec");
    const out = join(dir, "out");
    const log = recordingLog();
    const pool = new ExecPool(log);
    pool.run("bad", "echo \0");
    pool.run("good", `echo ok > ${shellQuote(out)}`);
    await pool.idle();
    expect(log.of("error")).toHaveLength(1);
    expect(log.of("error")[0]).toMatch(/^contact bad: command .* could not start: /);
    expect(readFileSync(out, "utf8")).toBe("ok\n");
  });

  it("expands the template with shell-quoted parameters", async () => {
    const dir = tempDir("exec");
    const out = join(dir, "out");
    const nasty = "it's $(touch pwned) `id`\n;|&";
    writeContacts(contactsFile(dir), [{ name: "ops", exec: `printf '%s|%s' \${msg|shell} \${hostname|shell} > ${shellQuote(out)}` }]);
    const { alerter } = alerterIn(dir);
    alerter.receive(notification({ parameters: { msg: nasty } }));
    await alerter.idle();
    expect(readFileSync(out, "utf8")).toBe(`${nasty}|box`);
  });

  it("runs at most 5 commands at a time and queues the rest", async () => {
    const dir = tempDir("exec");
    const markers = join(dir, "running");
    const counts = join(dir, "counts");
    mkdirSync(markers);
    // each command counts the commands running (itself included) while it runs
    const marker = `${shellQuote(markers)}/\${incident_id}`;
    const exec = `touch ${marker}; ls ${shellQuote(markers)} | wc -l >> ${shellQuote(counts)}; sleep 1; rm ${marker}`;
    writeContacts(contactsFile(dir), [{ name: "slow", exec }]);
    const { alerter, log } = alerterIn(dir);
    for (let i = 0; i < 8; i++) alerter.receive(notification({ name: `n${i}` }));
    await alerter.idle();
    const seen = linesOf(counts).map(Number);
    expect(seen).toHaveLength(8);
    expect(Math.max(...seen)).toBe(5);
    expect(log.of("error")).toEqual([]);
  });

  it("keeps 5 running and the rest waiting, started in order as others finish", async () => {
    const dir = tempDir("exec");
    const out = join(dir, "out");
    const pool = new ExecPool(recordingLog());
    for (let i = 0; i < 8; i++) pool.run("c", `echo start ${i} >> ${shellQuote(out)}; sleep 0.2; echo end ${i} >> ${shellQuote(out)}`);
    expect([pool.running, pool.queued]).toEqual([5, 3]);
    await pool.idle();
    expect([pool.running, pool.queued]).toEqual([0, 0]);
    const events = linesOf(out);
    expect(events).toHaveLength(16);
    let running = 0;
    let maxRunning = 0;
    for (const e of events) {
      running += e.startsWith("start") ? 1 : -1;
      maxRunning = Math.max(maxRunning, running);
    }
    expect(maxRunning).toBe(5);
    const firstEnd = events.findIndex((e) => e.startsWith("end"));
    for (const late of [5, 6, 7]) expect(events.indexOf(`start ${late}`)).toBeGreaterThan(firstEnd);
    const starts = events.filter((e) => e.startsWith("start")).map((e) => Number(e.slice(6)));
    expect(starts.slice(5)).toEqual([5, 6, 7]);
  });

  it("runs the commands of one sequence one after the other", async () => {
    const dir = tempDir("exec");
    const out = join(dir, "out");
    const pool = new ExecPool(recordingLog());
    pool.run("c", `sleep 0.3; echo first >> ${shellQuote(out)}`, "s");
    pool.run("c", `echo other >> ${shellQuote(out)}`, "t");
    pool.run("c", `echo second >> ${shellQuote(out)}`, "s");
    // "other" runs beside "first"; "second" waits for "first"
    expect([pool.running, pool.queued]).toEqual([2, 1]);
    await pool.idle();
    const lines = linesOf(out);
    expect([...lines].sort()).toEqual(["first", "other", "second"]);
    expect(lines.filter((l) => l !== "other")).toEqual(["first", "second"]);
  });
});
