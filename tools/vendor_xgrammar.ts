/**
 * XGrammar's web build (`@mlc-ai/web-xgrammar`, Apache-2.0) made importable
 * everywhere the engine runs, as src/text/vendor/xgrammar.{js,wasm,d.ts}.
 *
 * The npm package is an Emscripten UMD bundle with its wasm inlined as base64,
 * which neither Deno (no `require` in ES modules) nor workerd (no wasm
 * compiled from bytes at run time) can load as it is. So, mechanically:
 *
 * - the base64 wasm is written out as `xgrammar.wasm`, compiled by the caller
 *   (`fetch` + `WebAssembly.compile` in Deno and browsers, a module import in
 *   a Worker) and handed over with `provideWasm(module)`;
 * - the loader's `Module()` call gets an `instantiateWasm` hook that
 *   instantiates that module, rejecting the library's start-up if it fails;
 * - the UMD wrapper becomes an ES module with named exports, and the
 *   environment probes that pick Node's `require` path are turned off;
 * - the library's log goes to a settable sink, and `resetInstance()` drops
 *   its wasm instance (after a fatal error aborted it); a GrammarMatcher
 *   keeps the instance it was made in, so one under way survives a reset;
 *   `memoryBytes()` says how big the current instance's memory has grown.
 *
 * Nothing else is changed; the library's code is the registry's.
 * @module
 */

/** Checks that `needle` occurs once in `text` and replaces it. */
function replaceOnce(text: string, needle: string | RegExp, by: string, what: string): string {
  const n = typeof needle === "string"
    ? text.split(needle).length - 1
    : (text.match(new RegExp(needle, "g")) ?? []).length;
  if (n !== 1) throw new Error(`xgrammar's index.js: expected one ${what}, found ${n}; the tool needs updating`);
  return text.replace(needle, by);
}

const PRELUDE = `
let wasmModule = null;
/** Gives the library its compiled wasm (xgrammar.wasm); call before any other function. */
export function provideWasm(module) {
  if (!(module instanceof WebAssembly.Module)) throw new TypeError("provideWasm needs a WebAssembly.Module");
  wasmModule = module;
}
let logSink = (line) => console.error(line);
/** Where the library's log lines go (its warnings and fatal errors); console.error by default. */
export function setLogSink(sink) {
  logSink = sink;
}
const resets = [];
let instance = null;
/** Drops the library's wasm instance; the next call starts a fresh one (objects made before are dead). */
export function resetInstance() {
  for (const reset of resets) reset();
  instance = null;
}
/** Bytes of the current wasm instance's linear memory (0 before the first call and after a reset). */
export function memoryBytes() {
  const memory = instance && Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
  return memory ? memory.buffer.byteLength : 0;
}
function moduleOptions() {
  if (wasmModule === null) throw new Error("xgrammar: provideWasm(module) was not called");
  return {
    print: (line) => logSink(line),
    printErr: (line) => logSink(line),
    instantiateWasm(imports, receive, reject) {
      WebAssembly.instantiate(wasmModule, imports).then((made) => receive(instance = made), reject);
      return {};
    },
  };
}
const exports = {};
`;

const NAMES = [
  "CompiledGrammar",
  "Grammar",
  "GrammarCompiler",
  "GrammarMatcher",
  "StructuralTagItem",
  "Testings",
  "TokenizerInfo",
];

/** The ES module and the wasm bytes from the package's lib/index.js. */
export function transform(js: string): { module: string; wasm: Uint8Array } {
  const open = "(this, (function (exports) { 'use strict';";
  const start = js.indexOf(open);
  const end = js.lastIndexOf("}));");
  if (start < 0 || end < start) throw new Error("xgrammar's index.js: the UMD wrapper was not found");
  let body = js.slice(start + open.length, end);
  const b64 = /wasmBinaryFile="data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;
  const m = body.match(b64);
  if (!m) throw new Error("xgrammar's index.js: the inlined wasm was not found");
  const wasm = Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0));
  body = body.replace(b64, 'wasmBinaryFile="xgrammar.wasm"');
  body = replaceOnce(body, /var _scriptDir = [^\n]*\n/, "var _scriptDir = undefined;\n", "_scriptDir");
  body = replaceOnce(
    body,
    'var ENVIRONMENT_IS_NODE=typeof process=="object"&&typeof process.versions=="object"&&typeof process.versions.node=="string";',
    "var ENVIRONMENT_IS_NODE=false;",
    "Node probe",
  );
  body = replaceOnce(
    body,
    'return Module["instantiateWasm"](info,receiveInstance)',
    'return Module["instantiateWasm"](info,receiveInstance,readyPromiseReject)',
    "instantiateWasm call",
  );
  body = replaceOnce(body, "binding = await Module();", "binding = await Module(moduleOptions());", "Module() call");
  body = replaceOnce(
    body,
    "let binding = null;",
    "let binding = null; resets.push(() => { binding = null; });",
    "binding",
  );
  body = replaceOnce(
    body,
    "this.handle = handle;\n          this.vocab_size = vocab_size;",
    "this.handle = handle;\n          this.vocab_size = vocab_size;\n          this.binding = binding;",
    "GrammarMatcher constructor",
  );
  body = replaceOnce(
    body,
    "const maskInt32Array = binding.vecIntToView(maskIntVector).slice();",
    "const maskInt32Array = this.binding.vecIntToView(maskIntVector).slice();",
    "bitmask view",
  );
  // the (now unreachable) Node branch names Node's built-ins; as node: specifiers bundlers leave them alone
  body = replaceOnce(body, "await import('module')", 'await import("node:module")', "import of module");
  body = body.replaceAll("require('u' + 'rl')", 'require("node:url")');
  body = body.replace("Object.defineProperty(exports, '__esModule', { value: true });", "");
  const module = `${PRELUDE}(function (exports) { 'use strict';${body}})(exports);\n` +
    `export const { ${NAMES.join(", ")} } = exports;\n`;
  return { module, wasm };
}

/** The package's type declarations, joined into one file, with provideWasm. */
export function declarations(xgrammarDts: string, structuralTagDts: string): string {
  const strip = (s: string) => s.replace(/^\/\/# sourceMappingURL=.*$/m, "");
  const own = strip(xgrammarDts)
    .replace(/^import \{ StructuralTagItem as StructuralTagItemImpl \} from "\.\/structural_tag\.js";$/m, "")
    .replace(/^import type \{ StructuralTagItem, StructuralTagLike \} from "\.\/structural_tag\.js";$/m, "")
    .replace(/^export \{ StructuralTagItemImpl as StructuralTagItem \};$/m, "")
    .replace(/^export type \{[^}]*\} from "\.\/structural_tag\.js";$/m, "");
  const tags = strip(structuralTagDts).replace(/^export declare function structuralTag.*$/gm, ""); // not exported by the JS
  return `${tags}\n${own}\n` +
    "/** Gives the library its compiled wasm (xgrammar.wasm); call before any other function. */\n" +
    "export declare function provideWasm(module: WebAssembly.Module): void;\n" +
    "/** Where the library's log lines go (its warnings and fatal errors); console.error by default. */\n" +
    "export declare function setLogSink(sink: (line: string) => void): void;\n" +
    "/** Drops the library's wasm instance; the next call starts a fresh one (objects made before are dead). */\n" +
    "export declare function resetInstance(): void;\n" +
    "/** Bytes of the current wasm instance's linear memory (0 before the first call and after a reset). */\n" +
    "export declare function memoryBytes(): number;\n";
}
