// The README's TypeScript examples run as written, from a directory that is
// not the repository: every ```ts block (not ```ts ignore) is saved to a
// temporary directory and run there with the fixture as its argument, the
// package's JSR name mapped to this checkout (JSR itself is not reachable
// in CI).
import assert from "node:assert/strict";
import { TINY } from "./reference.ts";

const ROOT = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", ROOT));
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

Deno.test("the README has runnable TypeScript examples", () => {
  assert.ok(blocks.length >= 2, `${blocks.length} runnable blocks`);
  for (const b of blocks) assert.match(b, /from "jsr:@falcon-e\/edge"/, "examples import the package as users do");
});

for (const [i, code] of blocks.entries()) {
  Deno.test(`README example ${i + 1} runs from another directory`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/example.ts`, code);
      const map = {
        imports: {
          "jsr:@falcon-e/edge": new URL("mod.ts", ROOT).href,
          "jsr:@falcon-e/edge/": new URL("src/", ROOT).href,
        },
      };
      await Deno.writeTextFile(`${dir}/import_map.json`, JSON.stringify(map));
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-lock", "--import-map", `${dir}/import_map.json`, `${dir}/example.ts`, TINY],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.ok(new TextDecoder().decode(out.stdout).length > 0, "it printed something");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
