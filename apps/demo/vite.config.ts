import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  resolve: { conditions: ['@webembed/source'] },
  server: { host: '127.0.0.1' },
});
