// webpack 5 needs nothing for webembed: it bundles `new Worker(new URL('./worker.js',
// import.meta.url))` and emits the `new URL('./ort-wasm-*', import.meta.url)` files by itself.
// The only rule is the app's own TypeScript.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './src/main.ts',
  output: { path: fileURLToPath(new URL('./dist-webpack', import.meta.url)), clean: true },
  module: {
    rules: [{ test: /\.ts$/, loader: fileURLToPath(new URL('./transpile-loader.cjs', import.meta.url)) }],
  },
  resolve: { extensions: ['.ts', '.js'] },
  performance: { hints: false },
};
