/**
 * Browser pages for benchmarks: a TypeScript entry bundled for the browser (workspace packages
 * from source) and served with a bare HTML page on a free 127.0.0.1 port.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';

/** Bundles `entry` (and what it imports) into one ES module for the browser. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@webembed/source'],
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/** Serves `script` at `/page.js` and, at any other path, a page titled `title` that loads it. */
export function servePage(script: string, title: string): Promise<Server> {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/page.js"></script>`;
  const server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
