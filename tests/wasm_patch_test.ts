// wasm/patch_opcode.py, the step of wasm/build.sh that turns binaryen 108's
// prototype `f32x4.relaxed_fma` opcode into the standard `f32x4.relaxed_madd`:
// it patches only when the old bytes occur once per rewritten call.
import assert from "node:assert/strict";

const script = new URL("../wasm/patch_opcode.py", import.meta.url).pathname;

async function patch(bytes: number[], calls: number, oldHex = "fdaf01", newHex = "fd8502") {
  const file = await Deno.makeTempFile({ suffix: ".wasm" });
  await Deno.writeFile(file, new Uint8Array(bytes));
  const out = await new Deno.Command("python3", { args: [script, file, String(calls), oldHex, newHex] }).output();
  const after = [...await Deno.readFile(file)];
  await Deno.remove(file);
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr), after };
}

Deno.test("patch_opcode: replaces the opcode when it occurs once per call", async () => {
  const r = await patch([0x20, 0x00, 0xfd, 0xaf, 0x01, 0x0b, 0xfd, 0xaf, 0x01], 2);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.after, [0x20, 0x00, 0xfd, 0x85, 0x02, 0x0b, 0xfd, 0x85, 0x02]);
});

Deno.test("patch_opcode: a count other than the calls' leaves the module as it was and says why", async () => {
  for (const [bytes, calls, found] of [[[0xfd, 0xaf, 0x01, 0xfd, 0xaf, 0x01], 1, 2], [[0x0b], 1, 0]] as const) {
    const r = await patch([...bytes], calls);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`fdaf01 occurs ${found} times in .*, not ${calls}: not patched`));
    assert.deepEqual(r.after, bytes);
  }
});

Deno.test("patch_opcode: old and new opcodes of different lengths are refused", async () => {
  const r = await patch([0xfd, 0xaf, 0x01], 1, "fdaf01", "fd85");
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /fdaf01 and fd85 differ in length/);
  assert.deepEqual(r.after, [0xfd, 0xaf, 0x01]);
});
