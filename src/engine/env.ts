/**
 * Environment variables where the runtime has them: Deno's `Deno.env`, read
 * without failing when permission is missing or the runtime is not Deno
 * (Workers pass configuration as bindings instead).
 * @module
 */

/** The variable's value, or undefined when unset, not permitted or not Deno. */
export function envVar(name: string): string | undefined {
  try {
    return (globalThis as { Deno?: { env: { get(k: string): string | undefined } } }).Deno?.env.get(name);
  } catch {
    return undefined;
  }
}
