/**
 * Byte-level BPE tokens (GPT-2 style) spell each byte as a printable
 * character; this maps a token string back to the exact bytes it stands for,
 * which OpenAI logprobs report as `bytes` (a token may hold part of a character).
 * @module
 */

let table: Map<string, number> | undefined;

/** GPT-2's bytes_to_unicode, inverted: character -> byte. */
function charToByte(): Map<string, number> {
  if (table) return table;
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  table = new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
  return table;
}

/**
 * The bytes a byte-level token string stands for, or undefined when it is not
 * one (e.g. a special token, whose bytes are its UTF-8 text).
 */
export function byteLevelBytes(token: string): number[] | undefined {
  const t = charToByte();
  const out: number[] = [];
  for (const ch of token) {
    const b = t.get(ch);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return out;
}
