/**
 * `deno task vendor`: writes the chat page's browser libraries into
 * src/serve/vendor/ as string modules, from their npm packages at pinned
 * versions (npm pack, so the bytes are the registry's): marked (markdown)
 * and DOMPurify (HTML sanitizer), both ESM builds, licenses kept. The server
 * serves them at /assets/, so the page needs no CDN and no build step, and
 * the modules bundle into the Worker like any source file.
 *
 * And XGrammar's web build (structured output) into src/text/vendor/, made
 * into an ES module with its wasm beside it (see tools/vendor_xgrammar.ts).
 * @module
 */

import { declarations, transform } from "./vendor_xgrammar.ts";

const LIBS = [
  { name: "marked", version: "18.2.1", file: "package/lib/marked.esm.js", out: "marked.ts", constant: "MARKED_JS" },
  {
    name: "dompurify",
    version: "3.5.0",
    file: "package/dist/purify.es.mjs",
    out: "purify.ts",
    constant: "PURIFY_JS",
  },
];

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const d = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Unpacks `name@version` from the registry into dir/name; returns that folder. */
async function unpack(dir: string, name: string, version: string): Promise<string> {
  const tgz = (await sh("npm", ["pack", `${name}@${version}`, "--silent"], dir)).split("\n").pop()!;
  const into = `${dir}/${name.replace("/", "+")}`;
  await Deno.mkdir(into);
  await sh("tar", ["xzf", `${dir}/${tgz}`, "-C", into], dir);
  return into;
}

const XGRAMMAR = { name: "@mlc-ai/web-xgrammar", version: "0.1.27" };

async function vendorXGrammar(dir: string): Promise<void> {
  const pkg = await unpack(dir, XGRAMMAR.name, XGRAMMAR.version);
  const js = await Deno.readTextFile(`${pkg}/package/lib/index.js`);
  const { module, wasm } = transform(js);
  const out = new URL("../src/text/vendor/", import.meta.url);
  await Deno.mkdir(out, { recursive: true });
  const from = `${XGRAMMAR.name} ${XGRAMMAR.version} (Apache-2.0), lib/index.js from npm (sha256 ${await sha256(js)})`;
  await Deno.writeFile(new URL("xgrammar.wasm", out), wasm);
  await Deno.writeTextFile(
    new URL("xgrammar.js", out),
    `// @ts-self-types="./xgrammar.d.ts"\n// ${from},\n// made an ES module by tools/vendor.ts (see tools/vendor_xgrammar.ts); do not edit.\n` +
      `// Its wasm is xgrammar.wasm (sha256 ${await sha256(wasm)}).\n${module}`,
  );
  const dts = declarations(
    await Deno.readTextFile(`${pkg}/package/lib/xgrammar.d.ts`),
    await Deno.readTextFile(`${pkg}/package/lib/structural_tag.d.ts`),
  );
  await Deno.writeTextFile(new URL("xgrammar.d.ts", out), `// Types of ${from}; written by tools/vendor.ts.\n${dts}`);
  console.log(`wrote ${out.pathname}xgrammar.{js,wasm,d.ts} (${wasm.length} bytes of wasm)`);
}

const dir = await Deno.makeTempDir();
try {
  await vendorXGrammar(dir);
  for (const lib of LIBS) {
    const into = await unpack(dir, lib.name, lib.version);
    const text = await Deno.readTextFile(`${into}/${lib.file}`);
    const out = new URL(`../src/serve/vendor/${lib.out}`, import.meta.url);
    await Deno.writeTextFile(
      out,
      `// ${lib.name} ${lib.version}, ${
        lib.file.replace("package/", "")
      } from npm, written by tools/vendor.ts; do not edit.\n` +
        `// sha256 ${await sha256(text)}; its license is in the text itself.\n` +
        `/** The ESM build of ${lib.name} ${lib.version}, served by the chat page's /assets/ route. */\n` +
        `export const ${lib.constant}: string = ${JSON.stringify(text)};\n`,
    );
    console.log(`wrote ${out.pathname} (${text.length} characters)`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
