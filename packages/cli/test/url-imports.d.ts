// Vite's `?url` imports (used by browser tests to serve onnxruntime-web's WASM files).
declare module '*?url' {
  const url: string;
  export default url;
}
