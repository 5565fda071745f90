/**
 * Progress bars on stderr for the command-line tasks: downloads from the hub,
 * checkpoint reads and image writes.
 * @module
 */

import type { DownloadProgress } from "../load/source/hub.ts";

const enc = new TextEncoder();
const mb = (n: number) => (n / 1e6).toFixed(1);

/** `label [#####.....] 42% 1.0/2.4 MB`, or `label 1.0 MB` when the total is unknown. */
export function bar(label: string, done: number, total: number, width = 20): string {
  if (!Number.isFinite(total) || total <= 0) return `${label} ${mb(done)} MB`;
  const frac = Math.min(1, done / total);
  const fill = Math.round(frac * width);
  return `${label} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${(frac * 100).toFixed(0)}% ${mb(done)}/${
    mb(total)
  } MB`;
}

/** The line for a download's progress: the bar and the rate. */
export function downloadLine(p: DownloadProgress): string {
  return `${bar(p.file, p.got, p.total)} ${mb(p.rate)} MB/s`;
}

/** Rewrites the current stderr line (a newline after the last one). */
export function showLine(line: string, done = false): void {
  Deno.stderr.writeSync(enc.encode(`\r${line.padEnd(78)}${done ? "\n" : ""}`));
}

/** `onProgress` for `downloadRepo`: a bar per file on stderr. */
export function showDownload(p: DownloadProgress): void {
  showLine(downloadLine(p), p.done);
}
