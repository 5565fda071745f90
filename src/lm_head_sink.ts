/**
 * Where the lm_head's checkpoint bytes go while loading. With the BF16
 * lm_head (as shipped) they go straight into place like every tensor. With
 * `lmHead: "int8"` the engine has no room for the BF16 matrix: its rows go
 * through a small window in wasm memory, and each time the window fills the
 * kernels quantize its rows into place (`lm_head_rows_q8`), so the int8
 * lm_head costs half the BF16 bytes and is never whole in BF16.
 * @module
 */

import { type KernelExports, TensorKind } from "./wasm.ts";

/** A destination for a tensor's bytes. */
export interface Sink {
  /** The tensor's bytes: the whole tensor, or (with `flush`) a window that is refilled. */
  dest: Uint8Array;
  /** Called with the number of bytes in the window each time it fills, and at the end. */
  flush?: (bytes: number) => void;
  /** Throws unless every byte was flushed (windowed sinks only). */
  done?: () => void;
}

/**
 * The lm_head's sink in engine `k`: vocab x hidden BF16, row-major as a
 * checkpoint holds it, or `prepared` (in the kernels' layout, as an image holds it).
 */
export function lmHeadSink(k: KernelExports, vocab: number, hidden: number, prepared = false): Sink {
  const stage = k.lm_stage();
  if (stage === 0) {
    return {
      dest: new Uint8Array(k.memory.buffer, k.tensor_ptr(TensorKind.lmHead, 0), k.tensor_bytes(TensorKind.lmHead, 0)),
    };
  }
  const rowBytes = hidden * 2;
  let row0 = 0;
  return {
    dest: new Uint8Array(k.memory.buffer, stage, k.lm_stage_rows() * rowBytes),
    flush(bytes) {
      const rc = bytes % rowBytes === 0 ? k.lm_head_rows_q8(row0, bytes / rowBytes, prepared ? 1 : 0) : 1;
      if (rc !== 0) throw new Error(`internal: lm_head_rows_q8(${row0}, ${bytes / rowBytes}) failed with ${rc}`);
      row0 += bytes / rowBytes;
    },
    done() {
      if (row0 !== vocab) throw new Error(`internal: ${row0} of ${vocab} lm_head rows converted`);
    },
  };
}

/**
 * Reads `length` bytes into `sink` in views of at most `chunk` bytes, each
 * filled by `read` (which must fill it or throw), flushing a windowed sink
 * each time its window fills and at the end.
 */
export async function readInto(
  length: number,
  sink: Sink,
  chunk: number,
  read: (view: Uint8Array) => Promise<void>,
): Promise<void> {
  const window = sink.dest.length;
  if (!sink.flush && window !== length) throw new Error(`internal: ${window}-byte destination for ${length} bytes`);
  for (let off = 0; off < length;) {
    const at = off % window;
    const n = Math.min(chunk, window - at, length - off);
    await read(sink.dest.subarray(at, at + n));
    off += n;
    if (sink.flush && (at + n === window || off === length)) sink.flush(at + n);
  }
  sink.done?.();
}
