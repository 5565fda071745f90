/**
 * Writes `src/engine/abi.ts` from a kernel module's `abi_table()` (the
 * constants of `wasm/src/abi.rs`), so TypeScript never spells a kernel number
 * itself. Run by `deno task build:wasm` after the modules are built;
 * `tests/abi_test.ts` fails when the committed file differs from what either
 * committed module generates.
 *
 *   deno run -A wasm/gen_abi.ts [module.wasm]     (default wasm/falcon_e.wasm)
 * @module
 */

/** One constant of the table. */
interface Entry {
  name: string;
  value: number;
  message: string;
  doc: string;
}

/** The table a module carries: group name -> its doc and constants, in source order. */
export function readTable(module: WebAssembly.Module): Map<string, { doc: string; entries: Entry[] }> {
  const x = new WebAssembly.Instance(module, {}).exports as {
    memory: WebAssembly.Memory;
    abi_table(): number;
    abi_table_len(): number;
  };
  const text = new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.abi_table(), x.abi_table_len()));
  const groups = new Map<string, { doc: string; entries: Entry[] }>();
  for (const line of text.split("\n").filter((l) => l !== "")) {
    const f = line.split("\t");
    if (line.startsWith("#")) groups.set(f[0].slice(1), { doc: f[1].trim(), entries: [] });
    else groups.get(f[0])!.entries.push({ name: f[1], value: Number(f[2]), message: f[3], doc: f[4].trim() });
  }
  return groups;
}

const pascal = (s: string) => s.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("");

/** The text of `src/engine/abi.ts` for a module. */
export function generate(module: WebAssembly.Module): string {
  const out = [
    "// Generated from wasm/src/abi.rs (the module's abi_table()) by wasm/gen_abi.ts; do not edit.",
    "// `deno task build:wasm` rewrites it; tests/abi_test.ts checks it against both committed modules.",
    "/**",
    " * The numbers shared with the kernels: tensor kinds, error codes and their",
    " * messages, logits modes, memory kinds, limits.",
    " * @module",
    " */",
    "",
  ];
  for (const [group, { doc, entries }] of readTable(module)) {
    out.push(`/** ${doc} */`, `export const ${pascal(group)} = {`);
    for (const e of entries) {
      if (e.doc) out.push(`  /** ${e.doc} */`);
      out.push(`  ${e.name}: ${e.value},`);
    }
    out.push("} as const;", "");
    if (entries.some((e) => e.message)) {
      out.push(`/** Messages of {@linkcode ${pascal(group)}}, by code. */`);
      out.push(`export const ${group.toUpperCase()}_MESSAGES: Readonly<Record<number, string>> = {`);
      for (const e of entries) out.push(`  [${e.value}]: ${JSON.stringify(e.message)},`);
      out.push("};", "");
    }
  }
  return out.join("\n");
}

if (import.meta.main) {
  const path = Deno.args[0] ?? new URL("./falcon_e.wasm", import.meta.url).pathname;
  const target = new URL("../src/engine/abi.ts", import.meta.url).pathname;
  await Deno.writeTextFile(target, generate(await WebAssembly.compile(await Deno.readFile(path))));
  console.log(`wrote ${target}`);
}
