// Fetch Electron's binary where the network allows it, without failing the install where it does not
// (CI and offline machines have no access to Electron's download host; the CLI and tests never need the binary).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);
let installer;
try {
  installer = require.resolve('electron/install.js');
} catch {
  process.exit(0); // production install without devDependencies
}
if (existsSync(installer)) {
  const r = spawnSync(process.execPath, [installer], { stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) {
    console.warn('packetflow: the Electron binary could not be downloaded; `npm start` needs it (the CLI and tests do not).');
  }
}
