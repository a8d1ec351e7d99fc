/**
 * SHA-256 of texts through WebCrypto (`crypto.subtle`), available in browsers, workers and Node.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Lowercase hex SHA-256 of a string's UTF-8 bytes. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
