// The tests' own authenticator app: RFC 4648 Base32 and RFC 6238 (HMAC-SHA1, 30 s, 6 digits) with Node's crypto,
// written from the RFCs, never the server's code. Checked against RFC 6238's vectors in totp.test.mjs.
import { createHmac } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function fromBase32(text) {
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    const index = ALPHABET.indexOf(c);
    if (index === -1) {
      throw new Error(`not Base32: ${c}`);
    }
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function toBase32(bytes) {
  let bits = 0;
  let value = 0;
  let text = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      text += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? text + ALPHABET[(value << (5 - bits)) & 31] : text;
}

/** RFC 6238 with HMAC-SHA1 and dynamic truncation (RFC 4226 §5.3). */
export function totp(secret, atMs = Date.now(), digits = 6, period = 30) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / period)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}
