// `ramen fmt FILE...`: prints programs in canonical RaQL.

import type { Command } from "commander";
import { parseProgram, printProgram } from "../../grammar/index.js";
import { readSource } from "../sources.js";

export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("print RaQL programs in canonical form")
    .argument("<file...>", "source files")
    .action((files: string[]) => {
      for (const file of files) {
        const { program: ast } = parseProgram(readSource(file));
        process.stdout.write(printProgram(ast));
      }
    });
}
