// A writer process killed with SIGKILL while appending (the built dist/
// files run in a child node: `npm run build` comes before these tests): once
// its directory is recovered, every batch whose append had returned is read
// back intact, numbered without gap.

import { ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { archiveDir, archivePaths, schemaHash } from "../../../runtime/archive/layout.js";
import { archivedRows } from "../../../runtime/archive/reader.js";
import { ArchiveWriter } from "../../../runtime/archive/writer.js";
import { tempDir } from "./files.js";
import { OUTPUT_SCHEMA, Producer, rowOf } from "./rows.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const built = (file: string): string => {
  const js = path.join(REPO, "dist", file);
  if (!existsSync(js)) throw new Error(`${js} is missing: run "npm run build" before these tests`);
  return JSON.stringify(pathToFileURL(js).href);
};

// Appends batches of 1 to 50 rows forever, rows as rowOf (rows.ts) makes them,
// and prints after each append the number of rows appended so far.
const CHILD = `
  const { ArchiveWriter } = await import(${built("runtime/archive/writer.js")});
  const { BatchBuilder } = await import(${built("runtime/arrow/builder.js")});
  const { T, notNull, nullable } = await import(${built("grammar/types.js")});
  const fields = [
    { name: "n", type: notNull(T.u32) },
    { name: "x", type: notNull(T.float) },
    { name: "label", type: nullable(T.string) },
  ];
  const builder = new BatchBuilder(fields, { withTimeColumns: true });
  const writer = ArchiveWriter.open({
    dir: process.argv[1], schema: builder.schema, site: "local", fq: "prog/f", time: "event",
    fileSize: 32 * 1024, now: Date.now() / 1000,
  });
  let seq = Number(writer.nextSeq);
  for (let k = 0; ; k++) {
    const count = 1 + ((k * 37) % 50);
    for (let s = seq; s < seq + count; s++) {
      const start = 1000 + s * 0.25 + ((s * 7) % 5) * 0.1;
      builder.appendRow([s, s / 8, s % 4 === 0 ? null : "r" + s, start, start + (s % 3)]);
    }
    writer.append(builder.flush(), BigInt(seq), Date.now() / 1000);
    seq += count;
    process.stdout.write(seq + "\\n");
  }
`;

/** Runs the child on `dir` until it has printed for `ms` milliseconds, then SIGKILLs it; the last number it printed. */
async function killMidStream(dir: string, ms: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", CHILD, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("latin1").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("latin1").on("data", (d: string) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once("data", () => setTimeout(resolve, ms));
      child.once("exit", () => reject(new Error(`the writer exited before it was killed: ${err}`)));
    });
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
  } finally {
    child.kill("SIGKILL");
  }
  const lines = out.slice(0, out.lastIndexOf("\n")).split("\n");
  return Number(lines[lines.length - 1]);
}

describe("archive writer killed mid-stream", () => {
  it("loses no appended batch, across kills at random points", async () => {
    const dir = archiveDir(tempDir(), "local", "prog/f", schemaHash(OUTPUT_SCHEMA));
    let appended = 0;
    for (const ms of [150, 420, 275]) {
      appended = await killMidStream(dir, ms);
      expect(appended).toBeGreaterThan(0);
    }
    // Opening runs the recovery: the dead writer's lock is stale, current.arrow gets sealed.
    const writer = ArchiveWriter.open({ dir, schema: new Producer().schema, site: "local", fq: "prog/f", time: "event", now: 0 });
    expect(writer.nextSeq).toBeGreaterThanOrEqual(BigInt(appended));
    writer.close();
    const paths = archivePaths(dir);
    expect(existsSync(paths.current)).toBe(false);
    const rows = archivedRows(dir, -Infinity, Infinity);
    // Each run starts at next-seq, after the last complete batch of the previous one: no gap, no repeat.
    expect(rows.length).toBeGreaterThanOrEqual(appended);
    rows.forEach((row, i) => {
      if (row.seq !== BigInt(i)) expect.fail(`row ${i} is numbered ${row.seq}`);
      if (JSON.stringify(row.values) !== JSON.stringify(rowOf(i))) expect.fail(`row ${i} is ${JSON.stringify(row.values)}`);
    });
    // Every sealed file, whatever the crash point, is a whole Arrow file.
    for (const name of readdirSync(paths.arc).filter((n) => n.endsWith(".arrow"))) {
      expect(tableFromIPC(readFileSync(path.join(paths.arc, name))).numRows).toBeGreaterThan(0);
    }
  }, 30_000);
});
