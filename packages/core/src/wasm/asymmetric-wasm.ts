// Generated from asymmetric.wat by packages/core/scripts/build-wasm.mjs; do not edit by hand.

/** The assembled asymmetric.wat module (285 bytes), base64. */
export const ASYMMETRIC_WASM_BASE64 =
  'AGFzbQEAAAABDAFgB39/f39/fX8BfwMCAQAFAwEAAQcTAgZtZW1vcnkCAAZzZWxlY3QAAArmAQHjAQMFfwF8AX0CQANAIAcgAk8N' +
  'AUQAAAAAAAAAACEMIAAhCiADIQgDQCABKAIAIQkgDCAKIAlB/wFxQQJ0aioCALsgCiAJQQh2Qf8BcUECdGoqAoAIu6AgCiAJQRB2' +
  'Qf8BcUECdGoqAoAQu6AgCiAJQRh2QQJ0aioCgBi7oKAhDCABQQRqIQEgCkGAIGohCiAIQQFrIggNAAsgBARAIAwgBCAHQQN0aisD' +
  'AKIhDAsgDLYhDSANIAVeBEAgBiAHNgIAIAYgDTgCBCAGQQhqIQYgC0EBaiELCyAHQQFqIQcMAAsLIAsL';
