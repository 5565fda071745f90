/**
 * The command line of every task, on `node:util`'s `parseArgs` (strict: an
 * unknown flag is an error): each task declares its options once, with their
 * types, ranges and help text; `--help`/`-h` prints the usage and exits 0;
 * a misspelled flag or a bad value exits 2 naming the flag.
 * @module
 */

import { parseArgs as nodeParseArgs } from "node:util";
import { TILE_CHOICES } from "../engine/tiles.ts";

/** A command line that cannot be used; the message says what to change. */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";
}

/** One option of a task. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` is a switch. */
  type: "string" | "boolean";
  /** A one-letter alias. */
  short?: string;
  /** Shown in the usage. */
  help: string;
  /** The value's name in the usage (`N`, `DIR`...). */
  value?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** An integer option's range. */
  int?: [number, number];
  /** A number option's range. */
  number?: [number, number];
}

/** A task's command line. */
export interface TaskSpec {
  /** How the task is run, e.g. `deno task serve`. */
  usage: string;
  /** What it does, one or two lines. */
  about: string;
  /** Its options by flag name (without `--`). */
  options: Record<string, OptionSpec>;
  /** Whether words other than flags are allowed (subcommands, files). */
  positionals?: boolean;
}

/** A parsed command line. */
export interface Args {
  /** Words that are not flags, in order. */
  positional: string[];
  /** Flag values as given (`"true"` for a switch). */
  flags: Map<string, string>;
}

/** The usage text of a task. */
export function usage(spec: TaskSpec): string {
  const rows = Object.entries({
    ...spec.options,
    help: { type: "boolean", short: "h", help: "show this help" } as OptionSpec,
  })
    .map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${
        o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""
      }`;
      const choices = o.choices ? ` (${o.choices.join(" | ")})` : "";
      return [flag, o.help + choices] as const;
    });
  const w = Math.max(...rows.map(([f]) => f.length));
  return `usage: ${spec.usage}\n${spec.about}\n\noptions:\n${
    rows.map(([f, h]) => `  ${f.padEnd(w)}  ${h}`).join("\n")
  }\n`;
}

/** Checks one value against its spec; returns it. */
function checkValue(name: string, o: OptionSpec, v: string): string {
  if (o.choices && !o.choices.includes(v)) {
    throw new UsageError(`--${name} must be ${o.choices.join(" or ")}, got "${v}"`);
  }
  const n = Number(v);
  if (o.int && (!Number.isInteger(n) || n < o.int[0] || n > o.int[1] || v.trim() === "")) {
    throw new UsageError(`--${name} must be an integer in [${o.int[0]}, ${o.int[1]}], got "${v}"`);
  }
  if (o.number && (!Number.isFinite(n) || n < o.number[0] || n > o.number[1] || v.trim() === "")) {
    throw new UsageError(`--${name} must be a number in [${o.number[0]}, ${o.number[1]}], got "${v}"`);
  }
  return v;
}

/**
 * Parses `argv` for `spec`. Returns undefined after printing the usage when
 * `--help`/`-h` is given.
 * @throws {UsageError} for an unknown flag, a missing or bad value, or stray words.
 */
export function parseTask(argv: string[], spec: TaskSpec, print: (s: string) => void = console.log): Args | undefined {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  }
  let parsed;
  try {
    parsed = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const m = (e as Error).message;
    const flag = m.match(/'(-{1,2}[^' ]+)/)?.[1];
    if (/Unknown option/.test(m)) throw new UsageError(`unknown option ${flag ?? m}; see --help`);
    if (/argument missing|requires an argument/i.test(m)) throw new UsageError(`${flag ?? "an option"} needs a value`);
    throw new UsageError(m);
  }
  if (parsed.values.help) {
    print(usage(spec));
    return undefined;
  }
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0]}"; see --help`);
  }
  const flags = new Map<string, string>();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (name === "help" || v === undefined) continue;
    flags.set(name, typeof v === "boolean" ? String(v) : checkValue(name, spec.options[name], v as string));
  }
  return { positional: parsed.positionals, flags };
}

/** An integer flag (already range-checked by its spec), or `fallback`. */
export function intFlag(args: Args, name: string, fallback?: number): number | undefined {
  const v = args.flags.get(name);
  return v === undefined ? fallback : Number(v);
}

/** A number flag (already range-checked by its spec), or `fallback`. */
export function numberFlag(args: Args, name: string, fallback?: number): number | undefined {
  const v = args.flags.get(name);
  return v === undefined ? fallback : Number(v);
}

/** `--ids 1,2,3` as token ids. */
export function idsFlag(args: Args, name = "ids"): number[] {
  const v = args.flags.get(name) ?? "";
  return v.split(",").map((s) => {
    const n = Number(s.trim());
    if (s.trim() === "" || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: "${s}" is not a token id`);
    return n;
  });
}

/** The options every task that loads a model takes. */
export const MODEL_OPTIONS: Record<string, OptionSpec> = {
  model: {
    type: "string",
    value: "DIR|URL|FILE.feimg|owner/name",
    help: "the checkpoint: a directory, a URL base, an image, or a Hugging Face repo id",
  },
  ctx: {
    type: "string",
    value: "N",
    int: [1, 1 << 20],
    help: "positions per KV cache slot (default 2048, or the model's limit)",
  },
  kv: {
    type: "string",
    value: "TYPE",
    choices: ["f32", "f16"],
    help: "KV cache precision (default f32: transformers' numbers)",
  },
  "lm-head": {
    type: "string",
    value: "TYPE",
    choices: ["bf16", "int8"],
    help: "lm_head weights (default bf16 as shipped; int8 faster, approximate)",
  },
  threads: { type: "string", value: "N", int: [1, 256], help: "threads per forward pass (default: every core)" },
  "ternary-tiles": {
    type: "string",
    value: "FORM",
    choices: TILE_CHOICES,
    help: "ternary kernel tiles (default auto: timed at load)",
  },
  "hub-endpoint": {
    type: "string",
    value: "URL",
    help: "the hub for repo ids (default HF_ENDPOINT or https://huggingface.co)",
  },
};
