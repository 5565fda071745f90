/**
 * `deno task vendor`: writes the chat page's browser libraries into
 * src/serve/vendor/ as string modules, from their npm packages at pinned
 * versions (npm pack, so the bytes are the registry's): marked (markdown)
 * and DOMPurify (HTML sanitizer), both ESM builds, licenses kept. The server
 * serves them at /assets/, so the page needs no CDN and no build step, and
 * the modules bundle into the Worker like any source file.
 * @module
 */

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

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const dir = await Deno.makeTempDir();
try {
  for (const lib of LIBS) {
    const tgz = (await sh("npm", ["pack", `${lib.name}@${lib.version}`, "--silent"], dir)).split("\n").pop()!;
    const into = `${dir}/${lib.name}`;
    await Deno.mkdir(into);
    await sh("tar", ["xzf", `${dir}/${tgz}`, "-C", into], dir);
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
