// `ramen notify [-p NAME=VALUE]... [--test] NAME` (cli-runtime.md §6.9).

import { Command } from "commander";
import { SupervisorClient } from "../client.js";
import { UsageError } from "../errors.js";
import { log } from "../log.js";
import { type GlobalOptions, stateDirOf } from "../state.js";
import { collect } from "../options.js";


export function registerNotify(program: Command): void {
  program
    .command("notify")
    .description("send a notification through the supervisor")
    .argument("<name>", "notification name")
    .option("-p, --parameter <name=value>", "notification parameter (repeatable)", collect)
    .option("--test", "a test notification: delivered once, opens no incident")
    .action(async (name: string, opts: { parameter?: string[]; test?: boolean }, command: Command) => {
      const parameters: Record<string, string> = {};
      for (const p of opts.parameter ?? []) {
        const eq = p.indexOf("=");
        if (eq < 0) throw new UsageError(`Bad parameter "${p}": expected NAME=VALUE`);
        parameters[p.slice(0, eq)] = p.slice(eq + 1);
      }
      const client = await SupervisorClient.connect(stateDirOf(command.optsWithGlobals() as GlobalOptions));
      try {
        const { warnings } = await client.request<{ warnings: string[] }>("notify", { name, parameters, test: Boolean(opts.test) });
        for (const w of warnings) log.warning(w);
      } finally {
        client.close();
      }
    });
}
