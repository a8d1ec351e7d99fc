/**
 * A tiny static server for the peer-benchmark page on 127.0.0.1 (a secure context, so WebGPU
 * works), with cross-origin isolation headers so the page can measure its own memory.
 *
 * @module
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** URL prefix -> folder on disk. */
export type Mounts = Record<string, string>;

/** Serves `mounts` (longest prefix first); resolves with the server and its origin. */
export function serveStatic(mounts: Mounts): Promise<{ server: Server; origin: string }> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const prefix = prefixes.find((p) => path.startsWith(p));
    const rel = prefix === undefined ? '' : normalize(path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '');
    const file =
      prefix === undefined ? '' : join(mounts[prefix], rel === '' || rel === '.' ? 'index.html' : rel);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}
