#!/usr/bin/env node
// Entry point of the `packetflow` command; the TypeScript sources are bundled into dist/ by `npm run build`
// (npm install runs it through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('packetflow: not built yet — run `npm run build` in the project folder first.');
  process.exit(1);
}
await import(cli);
