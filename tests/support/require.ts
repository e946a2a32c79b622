// Tests that need something a fresh clone may lack (../shared, tshark, Chromium, root) skip with a printed reason.
// CI sets PACKETFLOW_REQUIRE_ALL=1, which turns every such skip into a failure so that everything runs there.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const sharedCaptures = join(sharedDir, 'captures');
export const strict = process.env.PACKETFLOW_REQUIRE_ALL === '1';

/**
 * Returns null when the requirement is met, else the reason. In strict mode (CI) a missing requirement throws, so
 * the suite fails instead of silently skipping.
 */
export function requirement(met: boolean, reason: string): string | null {
  if (met) return null;
  if (strict) throw new Error(`required in CI (PACKETFLOW_REQUIRE_ALL=1) but missing: ${reason}`);
  console.warn(`skipped: ${reason}`);
  return reason;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

export const needShared = () => requirement(existsSync(join(sharedCaptures, 'oracle')), `no ${sharedCaptures} (a fresh clone has no ../shared)`);
export const needTshark = () => requirement(has('tshark'), 'tshark is not installed (apt-get install tshark)');
export const needChromium = () => requirement(existsSync('/usr/bin/chromium'), 'no /usr/bin/chromium (apt-get install chromium)');
export const needRoot = () => requirement(process.getuid?.() === 0, 'not running as root (live capture and network namespaces need it)');
