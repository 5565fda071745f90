/**
 * The chat page served at `GET /`: one HTML document, no build step. It
 * streams from /v1/chat/completions and shows tokens per second.
 * @module
 */

/** The page's HTML. */
export const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Falcon-E chat</title>
<style>
  :root { font-family: system-ui, sans-serif; color-scheme: light dark; }
  body { margin: 0 auto; max-width: 48rem; padding: 1rem; display: flex; flex-direction: column; height: 100vh; box-sizing: border-box; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; }
  h1 { font-size: 1.1rem; margin: 0 0 .5rem; }
  #stats { font-size: .85rem; opacity: .7; font-variant-numeric: tabular-nums; }
  #log { flex: 1; overflow-y: auto; border: 1px solid #8884; border-radius: .5rem; padding: .5rem; }
  .msg { white-space: pre-wrap; margin: .4rem 0; padding: .4rem .6rem; border-radius: .4rem; }
  .user { background: #4a90e222; }
  .assistant { background: #8882; }
  .error { background: #e2554a33; }
  form { display: flex; gap: .5rem; margin-top: .5rem; }
  textarea { flex: 1; resize: vertical; min-height: 2.5rem; font: inherit; padding: .4rem; }
  button { font: inherit; padding: .4rem 1rem; }
</style>
</head>
<body>
<header><h1>Falcon-E chat <small id="model"></small></h1><span id="stats"></span></header>
<div id="log" aria-live="polite"></div>
<form id="form">
  <textarea id="input" placeholder="Message (Enter to send, Shift+Enter for a new line)" autofocus></textarea>
  <button id="send" type="submit">Send</button>
</form>
<script type="module">
const log = document.getElementById("log"), form = document.getElementById("form");
const input = document.getElementById("input"), send = document.getElementById("send"), stats = document.getElementById("stats");
const messages = [];
let key = sessionStorage.getItem("apiKey") || "";
fetch("health").then((r) => r.json()).then((h) => { document.getElementById("model").textContent = h.model ? "(" + h.model + ")" : "(" + h.state + ")"; });
function add(role, text) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  div.textContent = text;
  log.append(div);
  log.scrollTop = log.scrollHeight;
  return div;
}
input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text || send.disabled) return;
  input.value = "";
  messages.push({ role: "user", content: text });
  add("user", text);
  const out = add("assistant", "");
  out.dataset.state = "streaming";
  send.disabled = true;
  let answer = "", tokens = 0, t0 = 0;
  try {
    const headers = { "content-type": "application/json" };
    if (key) headers.authorization = "Bearer " + key;
    const res = await fetch("v1/chat/completions", { method: "POST", headers, body: JSON.stringify({ messages, stream: true, max_tokens: 256, stream_options: { include_usage: true } }) });
    if (res.status === 401) { key = prompt("API key") || ""; sessionStorage.setItem("apiKey", key); throw new Error("this server needs an API key; send again"); }
    if (!res.ok) throw new Error((await res.json()).error?.message || res.statusText);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf("\\n\\n")) >= 0) {
        const frame = buf.slice(0, i); buf = buf.slice(i + 2);
        const data = frame.replace(/^data: /, "");
        if (data === "[DONE]") continue;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
        const piece = chunk.choices?.[0]?.delta?.content;
        if (piece) {
          if (!t0) t0 = performance.now();
          tokens++;
          answer += piece;
          out.textContent = answer;
          const secs = (performance.now() - t0) / 1000;
          if (secs > 0) stats.textContent = tokens + " tokens, " + (tokens / secs).toFixed(1) + " tokens/s";
          log.scrollTop = log.scrollHeight;
        }
      }
    }
    const secs = (performance.now() - t0) / 1000;
    if (secs > 0) stats.textContent = tokens + " tokens, " + (tokens / secs).toFixed(1) + " tokens/s";
    messages.push({ role: "assistant", content: answer });
    out.dataset.state = "done";
  } catch (err) {
    out.className = "msg error";
    out.textContent = "Error: " + err.message;
    out.dataset.state = "error";
    messages.pop();
  } finally {
    send.disabled = false;
    input.focus();
  }
});
</script>
</body>
</html>
`;
