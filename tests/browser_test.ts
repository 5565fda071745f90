// The chat page end to end in headless Chromium (Debian's), driven by
// playwright-core against the real server at a small context: a long
// conversation that never fails, stop freeing the slot, markdown rendered
// and sanitized, settings and chats surviving a reload, errors with retry.
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { createHandler } from "../src/serve/handler.ts";
import { loadTextModel } from "../src/generate/text_model.ts";
import { TINY } from "./reference.ts";
import { synthesize } from "../bench/synth.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const SHOTS = Deno.env.get("SCREENSHOTS"); // a directory: desktop and phone screenshots go there
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function withPage(
  options: { ctx?: number; apiKey?: string; model?: string },
  fn: (
    page: Page,
    url: string,
    health: () => Promise<{ queue: { active: number } }>,
    browser: Browser,
  ) => Promise<void>,
) {
  const handler = createHandler({
    model: loadTextModel(options.model ?? TINY, { contextLength: options.ctx ?? 256, threads: 1 }),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler.fetch);
  const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForSelector("#model:not(:empty)");
    const health = async () => await (await fetch(url + "health")).json();
    await fn(page, url, health, browser);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.shutdown();
  }
}

/** Sends a message and waits for the page to be idle again (Send enabled, nothing streaming). */
async function say(page: Page, text: string): Promise<void> {
  await page.fill("#input", text);
  await page.keyboard.press("Enter"); // Send is disabled at once, until the answer is done
  await page.waitForFunction(
    `!document.querySelector("#send").disabled && !document.querySelector("[data-state=streaming]")`,
    undefined,
    { timeout: 30_000 },
  );
}

Deno.test({
  name: "chat page: ten turns at a 256-token context never fail; old turns are left out with a note; stats show",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withPage({ ctx: 256 }, async (page) => {
      await page.waitForSelector("#model:has-text('tiny-falcon-e')");
      await page.click("summary");
      await page.fill("#s-max_tokens", "24");
      await page.dispatchEvent("#s-max_tokens", "change");
      // greedy: a sampled answer (the page's default is 0.7) can be an end-of-text token at once, no text for the stats
      await page.fill("#s-temperature", "0");
      await page.dispatchEvent("#s-temperature", "change");
      for (let i = 0; i < 10; i++) {
        await say(page, `turn ${i}: tell me about the river city and its bright numbers`);
        assert.equal(await page.locator(".msg.error").count(), 0, `turn ${i} failed`);
        await page.locator(`.msg.user:has-text('turn ${i}:')`).waitFor();
      }
      assert.ok(await page.locator(".note:has-text('earlier messages were left out')").count() > 0);
      assert.match(await page.textContent("#stats") ?? "", /first token [\d.]+ s, [\d.-]+ tok\/s/);
    });
  },
});

Deno.test({
  name: "chat page: Stop aborts the answer and frees the slot; Regenerate and New chat work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // a synthetic model with the real vocabulary: slow enough to stop mid-answer
    const dir = await Deno.makeTempDir();
    await synthesize("small", dir, 1);
    await withPage({ ctx: 4096, model: dir }, async (page, _url, health) => {
      await page.click("summary");
      await page.fill("#s-seed", "7"); // sampled, but the same answer every run
      await page.dispatchEvent("#s-seed", "change");
      await page.click("summary");
      await page.fill("#input", "write for a long while");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".msg.assistant[data-state='streaming']");
      // the first token has arrived (its text may render empty: a random model's pieces can be whitespace)
      await page.waitForSelector("#stats:has-text('first token')");
      // every click the page receives, seen before its own handlers: tells a Stop that did
      // nothing from a click that never reached the page (seen once in CI: the whole answer
      // streamed on after page.click returned, and no "stopped")
      await page.evaluate(`window.__clicks = []; addEventListener("click", (e) => __clicks.push(e.target.id), true)`);
      const stopped = async (ms: number) =>
        await page.waitForSelector("#stats:has-text('stopped')", { timeout: ms }).then(() => true, () => false);
      await page.click("#stop");
      if (!await stopped(10_000)) {
        const seen = await page.evaluate(`({
          clicks: __clicks,
          stats: document.querySelector("#stats")?.textContent,
          streaming: document.querySelectorAll("[data-state=streaming]").length,
          stopDisabled: document.querySelector("#stop")?.disabled,
          errors: [...document.querySelectorAll(".msg.error")].map((m) => m.textContent),
        })`) as { clicks: string[] };
        // the page got the click and went on answering: that is the bug this test is for
        assert.ok(!seen.clicks.includes("stop"), `Stop was clicked and the answer went on: ${JSON.stringify(seen)}`);
        console.log(`the click never reached the page (${JSON.stringify(seen)}); again in a fresh chat`);
        await page.waitForFunction(`!document.querySelector("[data-state=streaming]")`, null, { timeout: 60_000 });
        await page.click("#delete");
        await page.fill("#input", "write for a long while");
        await page.keyboard.press("Enter");
        await page.waitForSelector("#stats:has-text('first token')");
        await page.click("#stop");
        assert.ok(await stopped(10_000), "Stop did not stop the answer");
      }
      for (let i = 0; i < 50 && (await health()).queue.active !== 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await health()).queue.active, 0, "the slot was freed");
      await page.click("summary");
      await page.fill("#s-max_tokens", "12");
      await page.dispatchEvent("#s-max_tokens", "change");
      await page.click("#regen");
      await page.waitForFunction(
        `!document.querySelector("#send").disabled && !document.querySelector("[data-state=streaming]")`,
      );
      assert.equal(
        await page.locator(".msg.assistant[data-state='done']").count(),
        1,
        "the regenerated answer replaced the stopped one",
      );
      await page.click("#new");
      assert.equal(await page.locator(".msg").count(), 0);
      assert.equal(await page.locator("#list li").count(), 2);
    });
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "chat page: markdown renders, a <script> in a message never runs, settings and chats survive a reload",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withPage({}, async (page) => {
      await page.addInitScript("globalThis.pwned = false");
      await page.evaluate(() => {
        const chats = [{
          id: "x",
          title: "md",
          messages: [
            {
              role: "user",
              content: "<script>globalThis.pwned = true</script><img src=x onerror='globalThis.pwned=true'>",
            },
            {
              role: "assistant",
              content:
                "# Title\n\n**bold** and `code`\n\n```js\nlet a = 1;\n```\n\n<img src=x onerror='globalThis.pwned=true'><script>globalThis.pwned=true</script>",
            },
          ],
        }];
        localStorage.setItem("falcon-e:chats", JSON.stringify(chats));
        localStorage.setItem("falcon-e:current", JSON.stringify("x"));
        localStorage.setItem("falcon-e:setting:system", JSON.stringify("be brief"));
      });
      await page.reload();
      await page.waitForSelector(".assistant h1:has-text('Title')");
      assert.equal(await page.locator(".assistant strong").textContent(), "bold");
      assert.equal(await page.locator(".assistant pre code").textContent(), "let a = 1;\n");
      assert.equal(await page.locator(".assistant script, .assistant img[onerror]").count(), 0);
      assert.match(await page.locator(".msg.user").textContent() ?? "", /<script>/, "user text shown as text");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await page.evaluate(() => (globalThis as { pwned?: boolean }).pwned), false);
      assert.equal(await page.inputValue("#s-system"), "be brief");
      assert.equal(await page.locator("#list li").count(), 1);
      if (SHOTS) {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.screenshot({ path: `${SHOTS}/chat-desktop.png` });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: `${SHOTS}/chat-phone.png` });
      }
    });
  },
});

Deno.test({
  name: "chat page: a 401 shows in place with a retry that keeps the message, and works once the key is set",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withPage({ apiKey: "sesame" }, async (page) => {
      await page.fill("#input", "hello behind the key");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".msg.error:has-text('API key')");
      await page.click("summary");
      await page.fill("#s-api_key", "sesame");
      await page.dispatchEvent("#s-api_key", "change");
      await page.click(".msg.error button");
      await page.locator(".msg.assistant[data-state='done']").first().waitFor({ timeout: 30_000 });
      assert.equal(await page.locator(".msg.user:has-text('hello behind the key')").count(), 1);
      assert.equal(await page.locator(".msg.error").count(), 0);
    });
  },
});
