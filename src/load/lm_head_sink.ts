/**
 * Where the lm_head's checkpoint bytes go while loading. With the BF16
 * lm_head (as shipped) they go straight into place like every tensor. With
 * `lmHead: "int8"` the engine has no room for the BF16 matrix: its rows go
 * through a small window in wasm memory, and each time the window fills the
 * kernels quantize its rows into place (`lm_head_rows_q8`), so the int8
 * lm_head costs half the BF16 bytes and is never whole in BF16.
 * @module
 */

import type { Sink } from "./sink.ts";
import { Tensor } from "../engine/abi.ts";
import type { KernelExports } from "../engine/kernels.ts";

/**
 * The lm_head's sink in engine `k`: vocab x hidden BF16, row-major as a
 * checkpoint holds it, or `prepared` (in the kernels' layout, as an image holds it).
 */
export function lmHeadSink(k: KernelExports, vocab: number, hidden: number, prepared = false): Sink {
  const stage = k.lm_stage();
  if (stage === 0) {
    return {
      dest: new Uint8Array(k.memory.buffer, k.tensor_ptr(Tensor.LM_HEAD, 0), k.tensor_bytes(Tensor.LM_HEAD, 0)),
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
