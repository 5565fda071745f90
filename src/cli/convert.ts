/**
 * `deno task convert --model SRC --out FILE.feimg`: writes the pre-laid-out
 * image of a checkpoint (see image.ts), with a progress bar on stderr.
 * @module
 */

import { MODEL_OPTIONS, parseTask, type TaskSpec, UsageError } from "./args.ts";
import { modelLocation } from "./model.ts";
import { bar, showLine } from "./progress.ts";
import { EMBEDDED_FILES, IMAGE_EXTENSION, writeImage } from "../load/image.ts";
import { openSource } from "../load/source/mod.ts";

const SPEC: TaskSpec = {
  usage: `deno task convert --model M --out FILE${IMAGE_EXTENSION}`,
  about:
    "Writes the pre-laid-out image of a checkpoint: its weights as the kernels read them, config and tokenizer embedded.",
  options: {
    model: MODEL_OPTIONS.model,
    "hub-endpoint": MODEL_OPTIONS["hub-endpoint"],
    out: { type: "string", value: `FILE${IMAGE_EXTENSION}`, help: "the image to write (required)" },
  },
};
import { loadTextModelFrom } from "../generate/text_model.ts";

function progress(label: string, done: number, total: number): void {
  showLine(bar(label, done, total, 24));
}

/** Runs `deno task convert` with these arguments. */
export async function main(argv: string[]): Promise<void> {
  const args = parseTask(argv, SPEC);
  if (!args) return;
  const out = args.flags.get("out");
  if (!out) throw new UsageError(`--out is required: the image file to write (FILE${IMAGE_EXTENSION})`);
  if (!out.endsWith(IMAGE_EXTENSION)) throw new UsageError(`--out must end in ${IMAGE_EXTENSION}`);
  const src = openSource((await modelLocation(args)).location);
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
