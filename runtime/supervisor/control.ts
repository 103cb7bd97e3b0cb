// The local control API (cli-runtime.md §1.4): newline-delimited JSON over a
// Unix socket created owner-only. A request is {"id", "method", "params"};
// replies are {"id", "result"} or {"id", "error": {"message"}}; streaming
// methods (tail) send {"id", "batch"} messages then {"id", "end": true}.
// Closing the connection cancels its subscriptions. The first message of a
// connection is `hello` with the protocol version.

import { chmodSync, existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import * as path from "node:path";
import { type ProgramIR, valueToJson } from "../../compiler/ir.js";
import { RamenError, diag, isRamenError } from "../../grammar/diagnostics.js";
import type { Value } from "../../stdlib/values.js";
import { type RunEntry, socketPathOf, storeProgram, supervisorPaths } from "./state.js";
import { PROTOCOL_VERSION } from "./protocol.js";
import type { Subscription, Supervisor } from "./supervisor.js";

export interface Request {
  readonly id: number;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/** What `run` sends: the entry without its signature, the IR and the generated module. */
export interface RunProgram {
  readonly entry: Omit<RunEntry, "signature">;
  readonly ir: ProgramIR;
  readonly module: string;
}

/** A row as JSON: the values of the output fields (JSON-encoded by their types), then #start and #stop. */
export function rowToJson(row: readonly Value[]): unknown[] {
  return row.map((v) => valueToJson(v));
}

const NUMBERS_AS_NULL = (_key: string, v: unknown): unknown => (typeof v === "number" && !Number.isFinite(v) ? null : v);

/** Live rows a past-then-live tail holds back while it reads the past (archival.md §6.7 tail_handoff_buffer). */
const HANDOFF_BUFFER_ROWS = 1_000_000;

/** Sends one message to a client; a promise when the socket is full, resolved once it can take more. */
type Send = (msg: unknown) => Promise<void> | undefined;

export class ControlServer {
  private server: Server | undefined;
  private socketPath = "";

  constructor(private readonly supervisor: Supervisor) {}

  async listen(): Promise<void> {
    const stateDir = this.supervisor.options.stateDir;
    const link = supervisorPaths(stateDir).socket;
    this.socketPath = socketPathOf(stateDir);
    mkdirSync(path.dirname(this.socketPath), { recursive: true });
    for (const p of new Set([this.socketPath, link])) if (existsSync(p) || isSymlink(p)) unlinkSync(p);
    this.server = createServer((socket) => this.connection(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.socketPath, () => resolve());
    });
    chmodSync(this.socketPath, 0o600);
    if (this.socketPath !== link) symlinkSync(this.socketPath, link);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const link = supervisorPaths(this.supervisor.options.stateDir).socket;
    for (const p of new Set([this.socketPath, link])) if (existsSync(p) || isSymlink(p)) unlinkSync(p);
  }

  private connection(socket: Socket): void {
    const subscriptions: Subscription[] = [];
    // Aborted when the client goes away: its replays stop.
    const closed = new AbortController();
    let buffered = "";
    let greeted = false;
    // A long answer (history) goes at the client's pace: when the socket's buffer is full, a promise resolved
    // once it drains holds the replay back (archival.md §6.6 expires a client that never reads again); every send
    // made while the socket is full gets the same promise.
    let drained: Promise<void> | undefined;
    const send: Send = (msg) => {
      if (socket.destroyed || socket.write(JSON.stringify(msg, NUMBERS_AS_NULL) + "\n")) return undefined;
      drained ??= new Promise<void>((resolve) => {
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          drained = undefined;
          resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
      return drained;
    };
    socket.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === "") continue;
        let req: Request;
        try {
          req = JSON.parse(line) as Request;
        } catch {
          send({ id: null, error: { message: "bad request: not JSON" } });
          continue;
        }
        if (!greeted) {
          greeted = true;
          const version = (req.params?.["version"] as number | undefined) ?? -1;
          if (req.method !== "hello" || version !== PROTOCOL_VERSION) {
            send({ id: req.id, error: { message: `protocol version ${PROTOCOL_VERSION} expected`, version: PROTOCOL_VERSION } });
            socket.end();
            return;
          }
          send({ id: req.id, result: { version: PROTOCOL_VERSION, site: this.supervisor.options.site } });
          continue;
        }
        this.handle(req, send, subscriptions, closed.signal).catch((e: unknown) => {
          send({ id: req.id, error: { message: isRamenError(e) ? e.message : e instanceof Error ? e.message : String(e) } });
        });
      }
    });
    const cancel = () => {
      closed.abort();
      for (const s of subscriptions) s.cancel();
      subscriptions.length = 0;
    };
    socket.on("close", cancel);
    socket.on("error", cancel);
  }

  private async handle(req: Request, send: Send, subscriptions: Subscription[], closed: AbortSignal): Promise<void> {
    const sup = this.supervisor;
    const p = req.params ?? {};
    switch (req.method) {
      case "run": {
        const programs = (p["programs"] as RunProgram[]).map((rp) => {
          const { signature, stored } = storeProgram(sup.options.stateDir, rp.entry.program, rp.ir, rp.module);
          return { entry: { ...rp.entry, signature }, ir: rp.ir, moduleFile: stored.moduleFile };
        });
        await sup.add(programs, Boolean(p["replace"]));
        return send({ id: req.id, result: { added: programs.length } });
      }
      case "reconf":
        return send({ id: req.id, result: { archiving: sup.reconfigureArchives() } });
      case "kill":
        return send({ id: req.id, result: { killed: await sup.kill(p["globs"] as string[], Boolean(p["purge"])) } });
      case "ps":
        return send({ id: req.id, result: sup.ps((p["pattern"] as string | undefined) ?? "*", Boolean(p["showAll"])) });
      case "functions":
        return send({ id: req.id, result: sup.definedFunctions() });
      case "notify": {
        const warnings = sup.deliverNotification({
          worker: "CLI",
          name: p["name"] as string,
          parameters: p["parameters"] as Record<string, string>,
          eventTime: null,
          test: Boolean(p["test"]),
        });
        return send({ id: req.id, result: { warnings } });
      }
      case "history": {
        // null for an unbounded side (JSON has no infinities)
        const since = (p["since"] as number | null) ?? -Infinity;
        const until = (p["until"] as number | null) ?? Infinity;
        const fq = p["fq"] as string;
        const warn = (message: string) => send({ id: req.id, warning: message });
        if (!p["follow"]) {
          await sup.history(fq, since, until, (rows) => send({ id: req.id, batch: rows.map(rowToJson) }), { onWarning: warn, signal: closed });
          return send({ id: req.id, end: true });
        }
        // Past then live (archival.md §6.7): live rows are held back (at most HANDOFF_BUFFER_ROWS) while the
        // past is read: from the function's archive up to the first of them (exact, by sequence numbers), or
        // replayed through its ancestors up to the #start of the first of them.
        const handoff = new AbortController();
        const signal = AbortSignal.any([closed, handoff.signal]);
        let held: unknown[][] | undefined = [];
        let firstStart = NaN;
        let resolveFirstStart: (start: number) => void = () => {};
        const firstStartKnown = new Promise<number>((resolve) => (resolveFirstStart = resolve));
        let cutByStart = false;
        let warnedLate = false;
        const sub = sup.subscribe(fq, (rows) => {
          if (rows.length === 0) return;
          const startOf = (r: Value[]) => r[r.length - 2] as number;
          if (Number.isNaN(firstStart)) resolveFirstStart((firstStart = startOf(rows[0]!)));
          if (cutByStart && !warnedLate && rows.some((r) => startOf(r) < firstStart)) {
            warnedLate = true;
            warn(diag("lateLiveRows").message);
          }
          const json = rows.map(rowToJson);
          if (!held) return void send({ id: req.id, batch: json });
          held.push(...json);
          if (held.length > HANDOFF_BUFFER_ROWS) handoff.abort();
        });
        subscriptions.push(sub);
        const firstSeq = await sub.firstSeq;
        const liveStart = () => {
          cutByStart = true;
          return new Promise<number>((resolve) => {
            void firstStartKnown.then(resolve);
            signal.addEventListener("abort", () => resolve(Infinity), { once: true });
          });
        };
        await sup.history(fq, since, until, (rows) => send({ id: req.id, batch: rows.map(rowToJson) }), {
          ...(firstSeq !== undefined ? { beforeSeq: firstSeq } : {}),
          liveStart,
          onWarning: warn,
          signal,
        });
        if (handoff.signal.aborted) throw RamenError.of("handoffOverflow", { rows: held.length });
        // An empty batch marks the hand-off: what follows is live.
        send({ id: req.id, batch: [] });
        if (held.length > 0) send({ id: req.id, batch: held });
        held = undefined;
        await sub.done;
        return send({ id: req.id, end: true });
      }
      case "tail": {
        const fq = p["fq"] as string;
        const last = (p["last"] as number | undefined) ?? 0;
        const follow = Boolean(p["follow"]);
        if (last > 0) {
          const rows = (await sup.lastTuples(fq)).slice(-last).map(rowToJson);
          if (rows.length > 0) send({ id: req.id, batch: rows });
        }
        if (!follow) return send({ id: req.id, end: true });
        const sub = sup.subscribe(fq, (rows) => send({ id: req.id, batch: rows.map(rowToJson) }));
        subscriptions.push(sub);
        await sub.done;
        return send({ id: req.id, end: true });
      }
      default:
        return send({ id: req.id, error: { message: `unknown method ${req.method}` } });
    }
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
