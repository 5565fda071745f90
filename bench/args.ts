/**
 * Command-line options of the benchmark scripts: `--name value` pairs and
 * bare `--name` switches, anywhere in `Deno.args`.
 * @module
 */

/** The value after `--name`, or `dflt` when the option is absent. */
export function flag(name: string, dflt: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : dflt;
}

/** Whether the bare switch `--name` was given. */
export function has(name: string): boolean {
  return Deno.args.includes(`--${name}`);
}
