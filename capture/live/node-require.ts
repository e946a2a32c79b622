// A `require` that works in every way our Node-side code runs: the CommonJS bundle of the Electron capture process
// and the ESM CLI bundle (its banner defines `require`), and vitest's ESM modules, which have none: there, modules are
// resolved from the working directory (the repository root). import.meta is avoided: the CommonJS bundle lacks it.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function nodeRequire(): NodeJS.Require {
  if (typeof require === 'function') return require;
  return createRequire(join(process.cwd(), 'noop.js'));
}
