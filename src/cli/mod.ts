/**
 * The command-line tasks: `deno task cli` (logits, generate, chat),
 * `deno task serve` and `deno task convert`, each runnable as a module
 * (`deno run src/cli/<task>.ts`) or called with an argument list.
 * @module
 */

export { main as cli } from "./cli.ts";
export { main as serve } from "./serve.ts";
export { main as convert } from "./convert.ts";
export { type Args, parseArgs, UsageError } from "./args.ts";
