/**
 * The command-line tasks: `deno task cli` (chat, generate, logits),
 * `deno task serve` and `deno task convert`, each runnable as a module
 * (`deno run src/cli/<task>.ts`) or called with an argument list. Their
 * flags are declared once per task and parsed by `node:util`'s parseArgs.
 * @module
 */

export { main as cli } from "./cli.ts";
export { main as serve } from "./serve.ts";
export { main as convert } from "./convert.ts";
export { type Args, type OptionSpec, parseTask, type TaskSpec, usage, UsageError } from "./args.ts";
