/**
 * Builds altered copies of a fixture checkpoint in a temp dir, for bad-input tests.
 * @module
 */

/** A parsed safetensors file: header object and data section. */
export interface RawSafetensors {
  header: Record<
    string,
    | { dtype: string; shape: number[]; data_offsets: [number, number] }
    | Record<string, string>
  >;
  data: Uint8Array;
}

/** Splits a safetensors file into header JSON and data bytes. */
export function splitSafetensors(bytes: Uint8Array): RawSafetensors {
  const n = Number(
    new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true),
  );
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))),
    data: bytes.subarray(8 + n),
  };
}

/** Joins a header object and data bytes into a safetensors file. */
export function joinSafetensors(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * Copies fixture `dir` to a fresh temp dir, lets `edit` change the files
 * (given as name -> bytes), and returns the new dir.
 */
export async function editedCopy(
  dir: string,
  edit: (files: Map<string, Uint8Array>) => void,
): Promise<string> {
  const out = await Deno.makeTempDir({ prefix: "falcon-e-bad-" });
  const files = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile) files.set(e.name, await Deno.readFile(`${dir}/${e.name}`));
  }
  edit(files);
  for (const [name, bytes] of files) {
    await Deno.writeFile(`${out}/${name}`, bytes);
  }
  return out;
}

/** Edits the header (and optionally the data) of model.safetensors in place in `files`. */
export function editHeader(
  files: Map<string, Uint8Array>,
  fn: (raw: RawSafetensors) => void,
): void {
  const raw = splitSafetensors(files.get("model.safetensors")!);
  raw.data = raw.data.slice();
  fn(raw);
  files.set("model.safetensors", joinSafetensors(raw.header, raw.data));
}

/** Lays the data out again, each tensor's bytes in offset order, contiguous (after tensors were removed). */
export function repack(raw: RawSafetensors): void {
  const entries = Object.entries(raw.header).filter(([k]) => k !== "__metadata__") as [
    string,
    { data_offsets: [number, number] },
  ][];
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  const size = entries.reduce((n, [, e]) => n + e.data_offsets[1] - e.data_offsets[0], 0);
  const data = new Uint8Array(size);
  let at = 0;
  for (const [, e] of entries) {
    const [a, b] = e.data_offsets;
    data.set(raw.data.subarray(a, b), at);
    e.data_offsets = [at, at + b - a];
    at += b - a;
  }
  raw.data = data;
}

/** Edits config.json in `files`. */
export function editConfig(
  files: Map<string, Uint8Array>,
  fn: (c: Record<string, unknown>) => void,
): void {
  const c = JSON.parse(new TextDecoder().decode(files.get("config.json")!));
  fn(c);
  files.set("config.json", new TextEncoder().encode(JSON.stringify(c)));
}
