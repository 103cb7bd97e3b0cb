// `ramen kill [--purge] PROGRAM_GLOB...` (cli-runtime.md §6.3).

import { Command } from "commander";
import { SupervisorClient } from "../client.js";
import { type GlobalOptions, stateDirOf } from "../state.js";

export function registerKill(program: Command): void {
  program
    .command("kill")
    .description("stop programs and remove them from the running configuration")
    .argument("<glob...>", "program names (* matches / too, ? one character)")
    .option("--purge", "also delete their archives")
    .action(async (globs: string[], opts: { purge?: boolean }, command: Command) => {
      const client = await SupervisorClient.connect(stateDirOf(command.optsWithGlobals() as GlobalOptions));
      try {
        const { killed } = await client.request<{ killed: number }>("kill", { globs, purge: Boolean(opts.purge) });
        process.stdout.write(`Killed ${killed} program${killed > 1 ? "s" : ""}\n`);
      } finally {
        client.close();
      }
    });
}
