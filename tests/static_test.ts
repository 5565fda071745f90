// tools/static.ts, the Range file server `deno task static` runs and the benches start.
import assert from "node:assert/strict";
import { rangeServer } from "../tools/static.ts";

const DIR = new URL("./fixtures/tiny-falcon-e/", import.meta.url).pathname;

Deno.test("the static server: whole files, byte ranges, HEAD, a range past the end is a 416, no other names", async () => {
  const s = rangeServer(DIR);
  try {
    const file = await Deno.readFile(DIR + "config.json");
    const whole = await fetch(s.url + "/config.json");
    assert.equal(whole.status, 200);
    assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), file);
    const part = await fetch(s.url + "/config.json", { headers: { range: "bytes=10-19" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 10-19/${file.length}`);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), file.subarray(10, 20));
    const tail = await fetch(s.url + "/config.json", { headers: { range: "bytes=10-" } });
    assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), file.subarray(10));
    const head = await fetch(s.url + "/config.json", { method: "HEAD" });
    assert.equal(head.headers.get("content-length"), String(file.length));
    const past = await fetch(s.url + "/config.json", { headers: { range: `bytes=${file.length}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), `bytes */${file.length}`);
    await past.body?.cancel();
    for (const path of ["/missing.json", "/..", "/"]) {
      const r = await fetch(s.url.replace(/\/m$/, "") + path);
      assert.equal(r.status, 404, path);
      await r.body?.cancel();
    }
  } finally {
    await s.close();
  }
});
