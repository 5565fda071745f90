/**
 * `deno task cli <command>`: drive the engine from a terminal.
 *
 *   chat     an interactive chat (line editing and history where the terminal has them)
 *   generate a completion of --prompt, --prompt-file or stdin (streamed; --json for one JSON line),
 *            or of token ids (--ids: greedy, prints the ids and timings)
 *   logits   the logits of token ids: {"argmax": [per position], "last_logits": [vocab floats]}
 *
 * Every command takes --model (a directory, URL base, .feimg image or hub repo
 * id) and the engine flags; `deno task cli <command> --help` lists them.
 * @module
 */

import { argmax } from "../engine/argmax.ts";
import { loadModel } from "../load/load_model.ts";
import { type Args, idsFlag, MODEL_OPTIONS, parseTask, type TaskSpec, UsageError } from "./args.ts";
import { CHAT_SPEC, chatRepl } from "./chat.ts";
import { GENERATE_SPEC, generateText } from "./generate.ts";
import { modelLocation, modelOptions } from "./model.ts";

const LOGITS_SPEC: TaskSpec = {
  usage: "deno task cli logits --model M --ids 1,2,3 [options]",
  about: 'Prints {"argmax": [the top id at each position], "last_logits": [the last position\'s logits]}.',
  options: { ...MODEL_OPTIONS, ids: { type: "string", value: "1,2,3", help: "the token ids (required)" } },
};

const COMMANDS: Record<string, { spec: TaskSpec; run: (a: Args) => Promise<unknown> }> = {
  chat: { spec: CHAT_SPEC, run: chatRepl },
  generate: { spec: GENERATE_SPEC, run: generateText },
  logits: { spec: LOGITS_SPEC, run: logits },
};

const USAGE = `usage: deno task cli <command> [options]
commands:
  chat       an interactive chat with the model
  generate   complete a prompt (--prompt, --prompt-file or stdin), or token ids (--ids)
  logits     the logits of token ids
'deno task cli <command> --help' lists a command's options.
`;

async function logits(args: Args): Promise<unknown> {
  if (!args.flags.has("ids")) throw new UsageError("logits needs --ids, e.g. --ids 1,2,3");
  const ids = idsFlag(args);
  const { location } = await modelLocation(args);
  const { id: _, ...options } = modelOptions(args);
  const model = await loadModel(location, options);
  try {
    using s = model.createSession();
    const all = s.feed(ids, { allLogits: true });
    const v = model.config.vocabSize;
    return {
      argmax: ids.map((_, t) => argmax(all.subarray(t * v, (t + 1) * v))),
      last_logits: Array.from(all.subarray((ids.length - 1) * v)),
    };
  } finally {
    model.dispose();
  }
}

/** Runs one CLI command; returns the process exit code (0 ok, 1 failed, 2 bad command line). */
export async function main(argv: string[]): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
      (cmd === undefined ? console.error : console.log)(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    const command = COMMANDS[cmd];
    if (!command) throw new UsageError(`unknown command "${cmd}"\n${USAGE}`);
    const args = parseTask(rest, command.spec);
    if (!args) return 0;
    const result = await command.run(args);
    if (result !== undefined) console.log(JSON.stringify(result));
    return 0;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
