// Builds the app with webpack 5 (Node API) and copies what the static server must serve.
import { cpSync, copyFileSync } from 'node:fs';
import webpack from 'webpack';
import config from './webpack.config.mjs';

const stats = await new Promise((resolve, reject) =>
  webpack(config, (err, result) => (err ? reject(err) : resolve(result))),
);
console.log(stats.toString({ colors: false, modules: false, assets: true }));
if (stats.hasErrors()) process.exit(1);
copyFileSync('webpack.html', 'dist-webpack/index.html');
cpSync('public', 'dist-webpack', { recursive: true });
