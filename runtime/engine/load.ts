// Loading a compiled program module (the JavaScript of compiler/codegen/module.ts).
// The module imports nothing, so it is loaded from a data: URL: no file to
// write, the same in the main thread and in worker threads.

import type { ProgramModule } from "./api.js";

export async function loadProgramModule(javascript: string): Promise<ProgramModule> {
  const url = `data:text/javascript;base64,${Buffer.from(javascript, "utf8").toString("base64")}`;
  const module = (await import(url)) as Partial<ProgramModule>;
  if (typeof module.functions !== "object" || typeof module.runIf !== "function") throw new Error("internal: not a compiled program module");
  return module as ProgramModule;
}
