// The house rules of the layout, checked: imports under src/ flow one way
// between the concern folders, every folder has a mod.ts, no file is over
// ~400 lines and no function over ~80.
import assert from "node:assert/strict";
import ts from "typescript";

const ROOT = new URL("../", import.meta.url);
const rel = (u: URL) => u.pathname.slice(ROOT.pathname.length);

/** Every .ts file under a directory (recursively). */
function walk(dir: URL, ext: string): URL[] {
  const out: URL[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory && e.name === "vendor") continue; // third-party code, written by tools/vendor.ts
    if (e.isDirectory) out.push(...walk(u, ext));
    else if (e.name.endsWith(ext)) out.push(u);
  }
  return out;
}

const SRC = walk(new URL("src/", ROOT), ".ts");

/**
 * Which concern folders each one may import from: engine <- load <- generate -> text;
 * serve -> generate (and what generate builds on); shard (pipeline shards) on generate and below; cli on top of everything.
 */
const ALLOWED: Record<string, string[]> = {
  engine: ["engine"],
  load: ["load", "engine"],
  text: ["text"],
  generate: ["generate", "load", "engine", "text"],
  shard: ["shard", "generate", "load", "engine", "text"],
  serve: ["serve", "generate", "load", "engine", "text"],
  cli: ["cli", "serve", "shard", "generate", "load", "engine", "text"],
};

const folderOf = (path: string) => path.split("/")[1];

/** The relative module specifiers a file imports or re-exports (static and dynamic), resolved from the root. */
function imports(file: URL): string[] {
  const sf = ts.createSourceFile(file.pathname, Deno.readTextFileSync(file), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = node.moduleSpecifier;
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      spec = node.arguments[0];
    }
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".")) out.push(rel(new URL(spec.text, file)));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

Deno.test("src/: imports flow engine <- load <- generate -> text, serve -> generate, cli on top", () => {
  const wrong: string[] = [];
  for (const f of SRC) {
    const from = folderOf(rel(f));
    assert.ok(from in ALLOWED, `${rel(f)}: src/ holds only the concern folders ${Object.keys(ALLOWED).join(", ")}`);
    for (const target of imports(f)) {
      if (!target.startsWith("src/")) {
        if (!target.startsWith("wasm/")) wrong.push(`${rel(f)} imports ${target}, outside src/`);
        continue;
      }
      if (!ALLOWED[from].includes(folderOf(target))) wrong.push(`${rel(f)} (${from}) imports ${target}`);
    }
  }
  assert.deepEqual(wrong, [], "imports against the flow");
});

Deno.test("every concern folder has a mod.ts with its public surface", () => {
  for (const folder of Object.keys(ALLOWED)) {
    const text = Deno.readTextFileSync(new URL(`src/${folder}/mod.ts`, ROOT));
    assert.match(text, /@module/, `src/${folder}/mod.ts has a module doc`);
  }
});

const LONG_FILE = 400, LONG_FUNCTION = 80;

Deno.test(`no source file is over ${LONG_FILE} lines`, () => {
  const files = [...SRC, ...walk(new URL("wasm/src/", ROOT), ".rs")];
  const long = files.map((f) => [rel(f), Deno.readTextFileSync(f).split("\n").length] as const)
    .filter(([, n]) => n > LONG_FILE + 10);
  assert.deepEqual(long, []);
});

/** Functions (declarations, methods, arrows, expressions) longer than `max` lines. */
function longFunctions(file: URL, max: number): string[] {
  const text = Deno.readTextFileSync(file);
  const sf = ts.createSourceFile(file.pathname, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.end).line;
      if (end - start + 1 > max) {
        const name = (node as ts.FunctionDeclaration).name?.getText(sf) ?? "(anonymous)";
        out.push(`${rel(file)}:${start + 1} ${name}: ${end - start + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

Deno.test(`no function in src/ is over ${LONG_FUNCTION} lines`, () => {
  assert.deepEqual(SRC.flatMap((f) => longFunctions(f, LONG_FUNCTION)), []);
});
