// The CLI side of the control API (cli-runtime.md §1.4): one connection to
// the supervisor of the state directory, requests answered by id, and
// streams (tail) delivered message by message.

import { createConnection, type Socket } from "node:net";
import { RamenError } from "../grammar/diagnostics.js";
import { UsageError } from "./errors.js";
import { log } from "./log.js";
import { PROTOCOL_VERSION } from "../runtime/supervisor/protocol.js";
import { supervisorPaths } from "../runtime/supervisor/paths.js";

interface Pending {
  resolve(result: unknown): void;
  reject(e: Error): void;
  onBatch?: (rows: unknown[][]) => void;
}

export class SupervisorClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = "";

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk) => {
      this.buffered += chunk.toString("utf8");
      for (let nl = this.buffered.indexOf("\n"); nl >= 0; nl = this.buffered.indexOf("\n")) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.receive(JSON.parse(line) as Record<string, unknown>);
      }
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("the supervisor closed the connection")));
  }

  /** Connects to the supervisor of `stateDir`; RamenError noSupervisor when none answers. */
  static async connect(stateDir: string): Promise<SupervisorClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(supervisorPaths(stateDir).socket);
      s.once("connect", () => resolve(s));
      s.once("error", () => reject(RamenError.of("noSupervisor", { dir: stateDir })));
    });
    const client = new SupervisorClient(socket);
    try {
      await client.request("hello", { version: PROTOCOL_VERSION });
    } catch (e) {
      client.close();
      const theirs = (e as { version?: number }).version;
      throw RamenError.of("protocolMismatch", { theirs: theirs ?? "?", ours: PROTOCOL_VERSION });
    }
    return client;
  }

  private receive(msg: Record<string, unknown>): void {
    const id = msg["id"] as number;
    const p = this.pending.get(id);
    if (!p) return;
    if ("batch" in msg) return p.onBatch?.(msg["batch"] as unknown[][]);
    if ("warning" in msg) return log.warning(String(msg["warning"]));
    this.pending.delete(id);
    if ("error" in msg) {
      const err = msg["error"] as { message: string; version?: number };
      // The supervisor's refusals are the user's errors (exit 1), worded by the supervisor.
      return p.reject(Object.assign(new UsageError(err.message), { version: err.version }));
    }
    p.resolve("end" in msg ? undefined : msg["result"]);
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}, onBatch?: (rows: unknown[][]) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, ...(onBatch ? { onBatch } : {}) });
      this.socket.write(JSON.stringify({ id, method, params }) + "\n");
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
