/**
 * The chat page served at `GET /`: one HTML document, no build step, usable
 * with a keyboard and at phone width. Conversations and settings (system
 * prompt, temperature, top_p, max tokens, seed, API key) live in
 * localStorage; answers stream from /v1/chat/completions with `truncate`
 * (the server drops the oldest turns when a chat outgrows the context, and
 * the page says so), show prefill progress (the stream's `prompt_progress`
 * comments), time to first token and tok/s, and render as markdown through
 * marked + DOMPurify (served from /assets/, no CDN): text never reaches
 * innerHTML unsanitized. Stop aborts the request (freeing its slot); an
 * error shows in place with a retry that keeps the message.
 * @module
 */

const STYLE = `
:root { font-family: system-ui, sans-serif; color-scheme: light dark; --line: #8885; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { margin: 0; height: 100dvh; display: grid; grid-template-columns: 15rem 1fr; }
aside { border-right: 1px solid var(--line); padding: .6rem; overflow-y: auto; display: flex; flex-direction: column; gap: .4rem; }
aside ul { list-style: none; margin: 0; padding: 0; }
aside li button { width: 100%; text-align: left; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
aside li button[aria-current="true"] { outline: 2px solid var(--accent); }
main { display: flex; flex-direction: column; min-width: 0; height: 100dvh; padding: .6rem; gap: .5rem; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: .5rem; }
h1 { font-size: 1.05rem; margin: 0; }
#stats { font-size: .85rem; opacity: .75; font-variant-numeric: tabular-nums; }
#log { flex: 1; overflow-y: auto; border: 1px solid var(--line); border-radius: .5rem; padding: .5rem; }
.msg { margin: .4rem 0; padding: .45rem .65rem; border-radius: .45rem; overflow-wrap: anywhere; }
.user { background: #4a90e222; white-space: pre-wrap; }
.assistant { background: #8882; }
.assistant pre { overflow-x: auto; padding: .5rem; background: #0002; border-radius: .3rem; }
.assistant code { font-family: ui-monospace, monospace; }
.assistant :not(pre) > code { background: #0002; padding: 0 .25em; border-radius: .25em; }
.assistant img { max-width: 100%; }
.note { font-size: .8rem; opacity: .75; margin: .2rem 0; }
.error { background: #e2554a33; }
.progress { height: .3rem; background: var(--line); border-radius: .2rem; overflow: hidden; }
.progress > div { height: 100%; width: 0; background: var(--accent); }
form#chat { display: flex; gap: .4rem; }
textarea { flex: 1; resize: vertical; min-height: 2.6rem; font: inherit; padding: .4rem; }
button { font: inherit; padding: .35rem .8rem; cursor: pointer; }
#settings { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem; display: grid; gap: .35rem; }
#settings label { display: grid; grid-template-columns: 8rem 1fr; gap: .4rem; align-items: center; font-size: .9rem; }
#settings input, #settings textarea { font: inherit; min-width: 0; }
#menu { display: none; }
@media (max-width: 640px) {
  body { grid-template-columns: 1fr; }
  aside { display: none; position: fixed; inset: 0 30% 0 0; background: Canvas; z-index: 2; }
  body.menu aside { display: flex; }
  #menu { display: inline-block; }
}`;

const SCRIPT = `
import { marked } from "/assets/marked.js";
import DOMPurify from "/assets/purify.js";
const $ = (id) => document.getElementById(id);
const log = $("log"), input = $("input"), send = $("send"), stop = $("stop"), stats = $("stats"), list = $("list");
const SETTINGS = ["system", "temperature", "top_p", "max_tokens", "seed", "api_key"];
const store = {
  get: (k, d) => { try { return JSON.parse(localStorage.getItem("falcon-e:" + k)) ?? d; } catch { return d; } },
  set: (k, v) => localStorage.setItem("falcon-e:" + k, JSON.stringify(v)),
};
let chats = store.get("chats", []), current = store.get("current", null), busy = null;
const settings = () => Object.fromEntries(SETTINGS.map((k) => [k, $("s-" + k).value.trim()]));
for (const k of SETTINGS) { $("s-" + k).value = store.get("setting:" + k, k === "temperature" ? "0.7" : ""); $("s-" + k).onchange = () => store.set("setting:" + k, $("s-" + k).value); }
const chat = () => chats.find((c) => c.id === current);
function save() { store.set("chats", chats); store.set("current", current); }
function newChat() { const c = { id: Date.now().toString(36), title: "New chat", messages: [] }; chats.unshift(c); current = c.id; save(); render(); input.focus(); }
function markdown(text) { return DOMPurify.sanitize(marked.parse(text, { gfm: true, breaks: true })); }
function bubble(role, text, cls = "", state = "done") {
  const d = document.createElement("div");
  d.className = "msg " + role + " " + cls; d.dataset.state = state;
  if (role === "assistant") d.innerHTML = markdown(text); else d.textContent = text;
  log.append(d); log.scrollTop = log.scrollHeight; return d;
}
function note(text) { const n = document.createElement("div"); n.className = "note"; n.textContent = text; log.append(n); return n; }
function render() {
  list.replaceChildren(...chats.map((c) => {
    const li = document.createElement("li"), b = document.createElement("button");
    b.textContent = c.title; b.setAttribute("aria-current", String(c.id === current));
    b.onclick = () => { current = c.id; save(); render(); document.body.classList.remove("menu"); };
    li.append(b); return li;
  }));
  log.replaceChildren();
  for (const m of chat()?.messages ?? []) { bubble(m.role, m.content); if (m.note) note(m.note); }
}
async function* sse(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i;
    while ((i = buf.indexOf("\\n\\n")) >= 0) { const frame = buf.slice(0, i); buf = buf.slice(i + 2); yield frame; }
  }
}
async function ask(text) {
  const c = chat() ?? (newChat(), chat());
  if (c.messages.length === 0) c.title = text.slice(0, 40);
  c.messages.push({ role: "user", content: text }); save(); render();
  const s = settings(), messages = [...(s.system ? [{ role: "system", content: s.system }] : []), ...c.messages.map(({ role, content }) => ({ role, content }))];
  const body = { messages, stream: true, truncate: true, stream_options: { include_usage: true } };
  for (const [k, v] of [["temperature", s.temperature], ["top_p", s.top_p], ["max_tokens", s.max_tokens], ["seed", s.seed]]) if (v !== "") body[k] = Number(v);
  const out = bubble("assistant", "", "", "streaming"), bar = document.createElement("div");
  bar.className = "progress"; bar.innerHTML = "<div></div>"; out.append(bar);
  busy = new AbortController(); send.disabled = true; stop.disabled = false; stats.textContent = "waiting...";
  const t0 = performance.now(); let first = 0, tokens = 0, answer = "", dropped = 0;
  try {
    const res = await fetch("/v1/chat/completions", { method: "POST", signal: busy.signal,
      headers: { "content-type": "application/json", ...(s.api_key ? { authorization: "Bearer " + s.api_key } : {}) }, body: JSON.stringify(body) });
    if (!res.ok) {
      const e = await res.json().catch(() => ({}));
      throw new Error(res.status === 401 ? "This server needs an API key: set it in the settings, then retry." : (e.error?.message ?? "HTTP " + res.status));
    }
    dropped = Number(res.headers.get("x-truncated-messages") ?? 0);
    for await (const frame of sse(res.body)) {
      if (frame.startsWith(": prompt_progress ")) {
        const p = JSON.parse(frame.slice(18)); bar.firstChild.style.width = (100 * p.done / p.total) + "%";
        stats.textContent = "reading the prompt: " + p.done + " / " + p.total + " tokens"; continue;
      }
      if (!frame.startsWith("data: ") || frame === "data: [DONE]") continue;
      const d = JSON.parse(frame.slice(6));
      if (d.error) throw new Error(d.error.message);
      const piece = d.choices?.[0]?.delta?.content;
      if (piece) {
        if (!first) { first = performance.now(); bar.remove(); }
        tokens++; answer += piece; out.innerHTML = markdown(answer); log.scrollTop = log.scrollHeight;
        stats.textContent = "first token " + ((first - t0) / 1000).toFixed(2) + " s, " + (tokens > 1 ? ((tokens - 1) / ((performance.now() - first) / 1000)).toFixed(1) : "-") + " tok/s";
      }
    }
  } catch (e) {
    bar.remove();
    if (e.name === "AbortError") { stats.textContent = "stopped"; }
    else {
      c.messages.pop(); save(); out.remove();
      const err = bubble("assistant", "", "error"); err.textContent = "Error: " + e.message + " ";
      const retry = document.createElement("button"); retry.textContent = "Retry"; retry.onclick = () => { err.remove(); ask(text); };
      err.append(retry); stats.textContent = ""; return;
    } 
  } finally { busy = null; send.disabled = false; stop.disabled = true; }
  const m = { role: "assistant", content: answer };
  if (dropped) { const first = c.messages.findIndex((x) => x.role !== "system"); c.messages.splice(first, dropped); m.note = dropped + " earlier messages were left out: the chat outgrew the context."; }
  c.messages.push(m); save(); render();
}
$("chat").onsubmit = (e) => { e.preventDefault(); const t = input.value.trim(); if (!t || busy) return; input.value = ""; ask(t); };
input.onkeydown = (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("chat").requestSubmit(); } if (e.key === "Escape" && busy) busy.abort(); };
stop.onclick = () => busy?.abort();
$("new").onclick = newChat;
$("menu").onclick = () => document.body.classList.toggle("menu");
$("regen").onclick = () => {
  const c = chat(); if (!c || busy) return;
  while (c.messages.length && c.messages.at(-1).role === "assistant") c.messages.pop();
  const last = c.messages.pop(); if (last) { save(); ask(last.content); }
};
$("delete").onclick = () => { chats = chats.filter((c) => c.id !== current); current = chats[0]?.id ?? null; save(); render(); };
fetch("/health").then((r) => r.json()).then((h) => { $("model").textContent = h.model ?? ""; }).catch(() => {});
render();`;

/** The page's HTML. */
export const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Falcon-E chat</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>${STYLE}</style>
</head>
<body>
<aside aria-label="Conversations">
  <button id="new" type="button">+ New chat</button>
  <ul id="list"></ul>
  <details id="settings-box"><summary>Settings</summary>
  <div id="settings">
    <label>System prompt <textarea id="s-system" rows="3"></textarea></label>
    <label>Temperature <input id="s-temperature" type="number" min="0" max="2" step="0.1"></label>
    <label>top_p <input id="s-top_p" type="number" min="0.01" max="1" step="0.05" placeholder="1"></label>
    <label>Max tokens <input id="s-max_tokens" type="number" min="1" placeholder="all the context leaves"></label>
    <label>Seed <input id="s-seed" type="number" placeholder="random"></label>
    <label>API key <input id="s-api_key" type="password" autocomplete="off"></label>
  </div></details>
</aside>
<main>
<header>
  <h1><button id="menu" type="button" aria-label="Conversations">&#9776;</button> Falcon-E chat <small id="model"></small></h1>
  <span id="stats" aria-live="polite"></span>
</header>
<div id="log" aria-live="polite"></div>
<form id="chat">
  <textarea id="input" placeholder="Message (Enter to send, Shift+Enter for a new line, Esc to stop)" autofocus></textarea>
  <button id="send" type="submit">Send</button>
  <button id="stop" type="button" disabled>Stop</button>
</form>
<div><button id="regen" type="button">Regenerate</button> <button id="delete" type="button">Delete chat</button></div>
</main>
<script type="module">${SCRIPT}</script>
</body>
</html>
`;
