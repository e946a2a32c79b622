// Which capture to open at start: a file named on the command line, else the first bundled sample by name.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { hasCaptureExtension } from './capture-files';

/**
 * The capture file named on a command line. `defaultApp` is Electron's process.defaultApp: when true
 * (`electron . file.pcap`), argv[1] is the app directory; packaged builds get the file at argv[1].
 * Chromium switches (--foo) are skipped; the first remaining argument is taken when it exists as a file.
 */
export function captureFromArgv(argv: readonly string[], defaultApp: boolean, cwd: string,
  isFile: (p: string) => boolean = fileExists): string | null {
  const args = argv.slice(defaultApp ? 2 : 1);
  for (const a of args) {
    if (!a || a.startsWith('-')) continue;
    const p = isAbsolute(a) ? a : resolve(cwd, a);
    if (isFile(p)) return p;
  }
  return null;
}

/** The first capture file by name in `dir` (bundled samples), or null. */
export function firstSample(dir: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  names = names.filter(hasCaptureExtension).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of names) if (fileExists(join(dir, n))) return join(dir, n);
  return null;
}

function fileExists(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
