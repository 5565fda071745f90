// The numbers shared with the kernels are defined once, in wasm/src/abi.rs:
// src/engine/abi.ts must be exactly what each committed module generates.
import assert from "node:assert/strict";
import { generate, readTable } from "../wasm/gen_abi.ts";
import { kernelModule, type KernelPath } from "../src/engine/kernels.ts";

const committed = await Deno.readTextFile(new URL("../src/engine/abi.ts", import.meta.url));

for (const path of ["plain", "relaxed"] as KernelPath[]) {
  Deno.test(`src/engine/abi.ts is what the ${path} module's abi_table() generates`, async () => {
    assert.equal(
      committed,
      generate(await kernelModule(path)),
      "run 'deno task build:wasm' and commit src/engine/abi.ts",
    );
  });
}

Deno.test("the ABI table names every group the binding uses, with unique values per group", async () => {
  const table = readTable(await kernelModule("plain"));
  for (
    const g of ["tensor", "create_error", "forward_error", "logits", "memory_kind", "simd_build", "lm_head", "limits"]
  ) {
    const entries = table.get(g)?.entries;
    assert.ok(entries && entries.length > 0, `group ${g}`);
    assert.equal(new Set(entries.map((e) => e.value)).size, entries.length, `${g}: values repeat`);
  }
  for (const g of ["create_error", "forward_error"]) {
    assert.ok(
      table.get(g)!.entries.every((e) => e.message.length > 0 && e.value < 0),
      `${g}: negative codes with messages`,
    );
  }
});
