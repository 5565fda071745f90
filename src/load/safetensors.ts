/**
 * safetensors headers: read, and check every byte range against the file
 * before a single weight byte is written anywhere.
 * @module
 */

/** One tensor entry of a safetensors header, with absolute file offsets. */
export interface TensorEntry {
  /** Tensor name. */
  name: string;
  /** safetensors dtype, e.g. "BF16" or "U8". */
  dtype: string;
  /** Shape. */
  shape: number[];
  /** First byte in the file (absolute). */
  start: number;
  /** One past the last byte in the file (absolute). */
  end: number;
}

/** A parsed and checked safetensors header. */
export interface SafetensorsHeader {
  /** Tensors ordered by their position in the file. */
  tensors: TensorEntry[];
  /** Where the data section begins (8 + header length). */
  dataStart: number;
  /** Optional `__metadata__`. */
  metadata: Record<string, string>;
}

/** A safetensors file that cannot be used; the message names the file and the problem. */
export class SafetensorsError extends Error {
  /** Always `"SafetensorsError"`. */
  override name = "SafetensorsError";
}

/** Bytes per element of the dtypes safetensors defines. */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** Header JSON larger than this is refused (the spec's own limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * The header length stored in the first 8 bytes, checked against the file size.
 *
 * @param first8 The first 8 bytes of the file.
 * @param fileSize The file's size in bytes.
 * @param file The file's name, for messages.
 */
export function headerLength(
  first8: Uint8Array,
  fileSize: number,
  file: string,
): number {
  if (first8.length < 8 || fileSize < 8) {
    throw new SafetensorsError(
      `${file}: truncated, ${fileSize} bytes is shorter than the 8-byte header length`,
    );
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(
    0,
    true,
  );
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      `${file}: header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit (corrupt file?)`,
    );
  }
  if (8n + n > BigInt(fileSize)) {
    throw new SafetensorsError(
      `${file}: header length ${n} is larger than the file (${fileSize} bytes); truncated or corrupt`,
    );
  }
  return Number(n);
}

/** One header entry checked: known dtype, integer shape, byte count = product(shape) x dtype size, inside the file. */
function checkEntry(name: string, v: unknown, dataStart: number, dataLen: number, file: string): TensorEntry {
  const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const where = `${file}: tensor "${name}"`;
  if (typeof e !== "object" || e === null) {
    throw new SafetensorsError(`${where}: entry is not an object`);
  }
  if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_BYTES)) {
    throw new SafetensorsError(
      `${where}: unknown dtype ${JSON.stringify(e.dtype)}`,
    );
  }
  if (
    !Array.isArray(e.shape) ||
    !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new SafetensorsError(
      `${where}: shape must be a list of non-negative integers, got ${JSON.stringify(e.shape)}`,
    );
  }
  const off = e.data_offsets;
  if (
    !Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    off[0] > off[1]
  ) {
    throw new SafetensorsError(
      `${where}: data_offsets must be [begin, end] with begin <= end, got ${JSON.stringify(off)}`,
    );
  }
  const [a, b] = off as [number, number];
  if (b > dataLen) {
    throw new SafetensorsError(
      `${where}: data_offsets [${a}, ${b}] run past the end of the file (data section is ${
        Math.max(0, dataLen)
      } bytes); truncated?`,
    );
  }
  const want = (e.shape as number[]).reduce((x, y) => x * y, 1) *
    DTYPE_BYTES[e.dtype];
  if (b - a !== want) {
    throw new SafetensorsError(
      `${where}: ${e.dtype} ${JSON.stringify(e.shape)} needs ${want} bytes but data_offsets span ${b - a}`,
    );
  }
  return {
    name,
    dtype: e.dtype,
    shape: e.shape as number[],
    start: dataStart + a,
    end: dataStart + b,
  };
}

/** The keys of a JSON object's text at its top level, in order, duplicates kept (JSON.parse keeps only the last). */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0, i = 0;
  let expectKey = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)));
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === "{" || c === "[") {
      depth++;
      if (depth === 1 && c === "{") expectKey = true;
    } else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 1) expectKey = true;
    i++;
  }
  return keys;
}

/** The format's rules for the header bytes: a JSON object, padded with spaces only, without repeated names. */
function checkHeaderText(text: string, file: string): void {
  const body = text.replace(/ +$/, "");
  if (!body.startsWith("{") || !body.endsWith("}")) {
    throw new SafetensorsError(
      `${file}: the header must be one JSON object padded with spaces only (its length field may be wrong)`,
    );
  }
  const seen = new Set<string>();
  for (const k of topLevelKeys(body)) {
    if (seen.has(k)) throw new SafetensorsError(`${file}: the header names "${k}" twice`);
    seen.add(k);
  }
}

/** The tensors must tile the data section: from its first byte to the file's last, no gaps, no overlaps. */
function checkTiling(tensors: TensorEntry[], dataStart: number, fileSize: number, file: string): void {
  let at = dataStart;
  for (const t of tensors) {
    if (t.start < at) {
      const prev = tensors[tensors.indexOf(t) - 1];
      throw new SafetensorsError(`${file}: tensors "${prev?.name}" and "${t.name}" overlap in the file`);
    }
    if (t.start > at) {
      throw new SafetensorsError(
        `${file}: ${t.start - at} bytes before tensor "${t.name}" belong to no tensor (the data must be contiguous)`,
      );
    }
    at = t.end;
  }
  if (at !== fileSize && fileSize < Number.MAX_SAFE_INTEGER) { // (a stream of unknown length ends where it ends)
    throw new SafetensorsError(
      `${file}: ${
        fileSize - at
      } bytes after the last tensor belong to no tensor (a wrong header length, or a damaged file)`,
    );
  }
}

/**
 * Parses the header JSON and checks it as the format requires: one object
 * padded with spaces only, no repeated names; each entry a known dtype, an
 * integer shape, byte count = product(shape) x dtype size; and the tensors
 * tiling the data section exactly (no gaps, overlaps or trailing bytes).
 *
 * @param json The header bytes (after the 8-byte length).
 * @param fileSize The file's size in bytes.
 * @param file The file's name, for messages.
 */
export function parseHeader(
  json: Uint8Array,
  fileSize: number,
  file: string,
): SafetensorsHeader {
  let raw: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(json);
    raw = JSON.parse(text);
    if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) checkHeaderText(text, file);
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError(
      `${file}: the header is not valid JSON (${(e as Error).message})`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SafetensorsError(`${file}: the header must be a JSON object`);
  }
  const dataStart = 8 + json.length;
  const dataLen = fileSize - dataStart;
  const tensors: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") metadata = (v ?? {}) as Record<string, string>;
    else tensors.push(checkEntry(name, v, dataStart, dataLen, file));
  }
  tensors.sort((x, y) => x.start - y.start || x.end - y.end);
  checkTiling(tensors, dataStart, fileSize, file);
  return { tensors, dataStart, metadata };
}
