/**
 * A small command-line flag parser: `--name value`, `--name=value`, `--flag`.
 * @module
 */

/** Parsed command line: the positional words and the flags. */
export interface Args {
  /** Words that are not flags, in order. */
  positional: string[];
  /** `--name` -> value (`"true"` for a bare flag). */
  flags: Map<string, string>;
}

/** A command line that cannot be used; the message says what to change. */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";
}

/**
 * Splits argv into positional words and flags. Flags listed in `booleans`
 * take no value.
 */
export function parseArgs(argv: string[], booleans: string[] = []): Args {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(name, a.slice(eq + 1));
    else if (booleans.includes(name)) flags.set(name, "true");
    else if (i + 1 < argv.length) flags.set(name, argv[++i]);
    else throw new UsageError(`--${name} needs a value`);
  }
  return { positional, flags };
}

/** An integer flag, checked to lie in [min, max]. */
export function intFlag(
  args: Args,
  name: string,
  fallback: number | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be an integer in [${min}, ${max}], got "${v}"`,
    );
  }
  return n;
}

/** A number flag, checked to lie in [min, max]. */
export function numberFlag(
  args: Args,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be a number in [${min}, ${max}], got "${v}"`,
    );
  }
  return n;
}

/** `--ids 1,2,3` as token ids. */
export function idsFlag(args: Args, name = "ids"): number[] {
  const v = args.flags.get(name);
  if (v === undefined || v.trim() === "") {
    throw new UsageError(`--${name} is required, e.g. --${name} 1,2,3`);
  }
  return v.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) {
      throw new UsageError(`--${name}: "${s}" is not a token id`);
    }
    return n;
  });
}

/** `--lm-head bf16|int8`: lm_head weights (default bf16, as shipped). */
export function lmHeadFlag(args: Args): "bf16" | "int8" {
  const v = args.flags.get("lm-head") ?? "bf16";
  if (v !== "bf16" && v !== "int8") throw new UsageError(`--lm-head must be bf16 or int8, got "${v}"`);
  return v;
}

/** `--kv f32|f16`: KV cache precision (default f32). */
export function kvFlag(args: Args): "f16" | "f32" {
  const v = args.flags.get("kv") ?? "f32";
  if (v !== "f16" && v !== "f32") throw new UsageError(`--kv must be f32 or f16, got "${v}"`);
  return v;
}
