// The chat page end to end in headless Chromium (Debian's), driven by
// playwright-core: type a message, see a streamed answer and tokens/s.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { createHandler } from "../src/serve/handler.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { TINY } from "./reference.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

Deno.test({
  name: "the chat page streams an answer to a typed message and shows tokens/s",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const handler = createHandler({ model: loadTextModel(TINY) });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      handler.fetch,
    );
    const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForSelector("#model:has-text('tiny-falcon-e')");
      await page.fill("#input", "the river city holds a bright number");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".msg.user:has-text('the river city')");
      await page.waitForSelector(".msg.assistant[data-state='done']", {
        timeout: 30_000,
      });
      const answer = await page.textContent(".msg.assistant");
      assert.ok(answer && answer.length > 0, "an answer appeared");
      assert.match(
        await page.textContent("#stats") ?? "",
        /\d+ tokens, [\d.]+ tokens\/s/,
      );
      // a second turn carries the conversation
      await page.fill("#input", "and the south one?");
      await page.keyboard.press("Enter");
      await page.locator(".msg.assistant[data-state='done']").nth(1).waitFor({
        timeout: 30_000,
      });
      if (Deno.env.get("SCREENSHOT")) {
        await page.screenshot({ path: Deno.env.get("SCREENSHOT")! });
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
