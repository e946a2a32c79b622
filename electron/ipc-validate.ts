// Runtime checks of every IPC argument. The renderer is treated as untrusted (it parses hostile capture bytes), so
// main never trusts a type annotation: each channel has a validator that returns well-typed values or throws.
import {
  MAX_READ_CHUNK, type CaptureOptions, type ExportKind, type InvokeArgs, type InvokeChannel, type ReplayOptions,
  type ThemeSetting,
} from './ipc-contract';

export class IpcArgumentError extends Error {
  override name = 'IpcArgumentError';
}

const fail = (what: string): never => {
  throw new IpcArgumentError(what);
};

export function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${name} must be an integer in [${min}, ${max}]`);
  return v as number;
}

export function num(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`${name} must be a number in [${min}, ${max}]`);
  return v as number;
}

export function str(v: unknown, name: string, maxLength: number): string {
  if (typeof v !== 'string' || v.length > maxLength) fail(`${name} must be a string of at most ${maxLength} characters`);
  return v as string;
}

export function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') fail(`${name} must be a boolean`);
  return v as boolean;
}

export function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** An absolute path without NUL bytes (main still decides whether it may be opened). */
export function absPath(v: unknown, name: string): string {
  const s = str(v, name, 4096);
  if (s.includes('\0')) fail(`${name} contains a NUL byte`);
  if (!(s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\'))) fail(`${name} must be an absolute path`);
  return s;
}

function plainObject(v: unknown, name: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${name} must be an object`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${name} has an unexpected field "${k}"`);
  return o;
}

function arity(args: unknown[], n: number, channel: string): void {
  if (!Array.isArray(args) || args.length !== n) fail(`${channel} takes ${n} argument(s), got ${Array.isArray(args) ? args.length : '?'}`);
}

const UINT32 = 0xffff_ffff;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function captureOptions(v: unknown): CaptureOptions {
  const o = plainObject(v, 'options', ['device', 'filter', 'snaplen', 'promiscuous']);
  const device = str(o.device, 'options.device', 512);
  if (!device) fail('options.device must not be empty');
  return {
    device,
    filter: str(o.filter, 'options.filter', 4096),
    snaplen: int(o.snaplen, 'options.snaplen', 64, 262144),
    promiscuous: bool(o.promiscuous, 'options.promiscuous'),
  };
}

function replayOptions(v: unknown): ReplayOptions {
  const o = plainObject(v, 'options', ['handle', 'speed']);
  return { handle: int(o.handle, 'options.handle', 1, UINT32), speed: num(o.speed, 'options.speed', 0.1, 100) };
}

function exportData(kind: ExportKind, v: unknown): string | Uint8Array {
  if (kind === 'svg') return str(v, 'data', 64 << 20);
  if (!(v instanceof Uint8Array) || v.length > 256 << 20) fail('data must be a Uint8Array of at most 256 MiB');
  return v as Uint8Array;
}

/** A file name for a save dialog: no directories, no control characters. */
function fileName(v: unknown): string {
  const s = str(v, 'suggestedName', 255);
  if (/[\\/\0-\x1f]/.test(s) || s === '.' || s === '..') fail('suggestedName must be a plain file name');
  return s;
}

type Validators = { [C in InvokeChannel]: (args: unknown[]) => InvokeArgs<C> };

export const VALIDATORS: Validators = {
  'app.info': (a) => (arity(a, 0, 'app.info'), []),
  'file.openDialog': (a) => (arity(a, 0, 'file.openDialog'), []),
  'file.openRecent': (a) => (arity(a, 1, 'file.openRecent'), [absPath(a[0], 'path')]),
  'file.openDropped': (a) => (arity(a, 1, 'file.openDropped'), [absPath(a[0], 'path')]),
  'file.openInitial': (a) => (arity(a, 0, 'file.openInitial'), []),
  'file.read': (a) => (arity(a, 3, 'file.read'),
    [int(a[0], 'handle', 1, UINT32), int(a[1], 'offset', 0, MAX_SAFE), int(a[2], 'length', 1, MAX_READ_CHUNK)]),
  'file.close': (a) => (arity(a, 1, 'file.close'), [int(a[0], 'handle', 1, UINT32)]),
  'file.listRecent': (a) => (arity(a, 0, 'file.listRecent'), []),
  'file.clearRecent': (a) => (arity(a, 0, 'file.clearRecent'), []),
  'export.save': (a) => {
    arity(a, 3, 'export.save');
    const kind = oneOf(a[0], 'kind', ['svg', 'png'] as const);
    return [kind, fileName(a[1]), exportData(kind, a[2])];
  },
  'settings.setTheme': (a) => (arity(a, 1, 'settings.setTheme'),
    [oneOf<ThemeSetting>(a[0], 'theme', ['system', 'light', 'dark'])]),
  'capture.listInterfaces': (a) => (arity(a, 0, 'capture.listInterfaces'), []),
  'capture.validateFilter': (a) => (arity(a, 2, 'capture.validateFilter'),
    [str(a[0], 'filter', 4096), str(a[1], 'device', 512)]),
  'capture.start': (a) => (arity(a, 1, 'capture.start'), [captureOptions(a[0])]),
  'capture.pause': (a) => (arity(a, 2, 'capture.pause'), [int(a[0], 'session', 1, UINT32), bool(a[1], 'paused')]),
  'capture.stop': (a) => (arity(a, 1, 'capture.stop'), [int(a[0], 'session', 1, UINT32)]),
  'capture.saveAs': (a) => (arity(a, 1, 'capture.saveAs'), [int(a[0], 'session', 1, UINT32)]),
  'replay.start': (a) => (arity(a, 1, 'replay.start'), [replayOptions(a[0])]),
  'replay.pause': (a) => (arity(a, 2, 'replay.pause'), [int(a[0], 'session', 1, UINT32), bool(a[1], 'paused')]),
  'replay.speed': (a) => (arity(a, 2, 'replay.speed'),
    [int(a[0], 'session', 1, UINT32), num(a[1], 'speed', 0.1, 100)]),
};
