/**
 * The machine a benchmark ran on, for its JSON lines.
 * @module
 */

/** The CPU's model name from /proc/cpuinfo, or "unknown" (no /proc, or no read permission: run with -A). */
export function cpuModel(): string {
  try {
    return Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.*)$/m)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
