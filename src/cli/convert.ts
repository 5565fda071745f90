/**
 * `deno task convert --model SRC --out FILE.feimg`: writes the pre-laid-out
 * image of a checkpoint (see image.ts), with a progress bar on stderr.
 * @module
 */

import { parseArgs, UsageError } from "./args.ts";
import { bar, showLine } from "./progress.ts";
import { EMBEDDED_FILES, IMAGE_EXTENSION, writeImage } from "../load/image.ts";
import { openSource } from "../load/source/mod.ts";
import { loadTextModelFrom } from "../generate/text_model.ts";

function progress(label: string, done: number, total: number): void {
  showLine(bar(label, done, total, 24));
}

/** Runs `deno task convert` with these arguments. */
export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const from = args.flags.get("model"), out = args.flags.get("out");
  if (!from || !out) throw new UsageError(`usage: deno task convert --model DIR|URL --out FILE${IMAGE_EXTENSION}`);
  if (!out.endsWith(IMAGE_EXTENSION)) throw new UsageError(`--out must end in ${IMAGE_EXTENSION}`);
  const src = openSource(from);
  const t0 = performance.now();
  const tm = await loadTextModelFrom(src, { contextLength: 1, onProgress: (n, t) => progress("read ", n, t ?? n) });
  Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  const files: Record<string, string> = {};
  for (const f of EMBEDDED_FILES) {
    const text = await src.text(f);
    if (text !== undefined) files[f] = text;
  }
  const size = await writeImage(tm.model, files, out, (n, t) => progress("write", n, t));
  Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  console.error(`wrote ${out}: ${size} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (import.meta.main) {
  main(Deno.args).catch((e) => {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  });
}
