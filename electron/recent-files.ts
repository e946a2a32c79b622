// The "Open Recent" list, persisted as JSON in the user-data directory. Only paths in this list can be reopened
// through file.openRecent, so a compromised renderer cannot use it to read arbitrary files.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { RecentFile } from './ipc-contract';

export const MAX_RECENT = 10;

/** Puts `path` first, without duplicates, keeping at most MAX_RECENT entries. */
export function withRecent(list: readonly RecentFile[], path: string, now: number): RecentFile[] {
  const rest = list.filter((r) => r.path !== path);
  return [{ path, name: basename(path), openedAt: now }, ...rest].slice(0, MAX_RECENT);
}

/** Keeps only well-formed entries from a parsed JSON value (the file may be old, edited or corrupt). */
export function sanitizeRecent(value: unknown): RecentFile[] {
  if (!Array.isArray(value)) return [];
  const out: RecentFile[] = [];
  for (const v of value) {
    if (typeof v !== 'object' || v === null) continue;
    const r = v as Record<string, unknown>;
    if (typeof r.path !== 'string' || !r.path || typeof r.openedAt !== 'number') continue;
    if (out.some((o) => o.path === r.path)) continue;
    out.push({ path: r.path, name: basename(r.path), openedAt: r.openedAt });
  }
  return out.slice(0, MAX_RECENT);
}

export class RecentFiles {
  private list: RecentFile[];

  constructor(private readonly file: string | null) {
    this.list = [];
    if (file) {
      try {
        this.list = sanitizeRecent(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        this.list = [];
      }
    }
  }

  all(): RecentFile[] {
    return this.list.slice();
  }

  has(path: string): boolean {
    return this.list.some((r) => r.path === path);
  }

  add(path: string, now = Date.now()): void {
    this.list = withRecent(this.list, path, now);
    this.save();
  }

  remove(path: string): void {
    this.list = this.list.filter((r) => r.path !== path);
    this.save();
  }

  clear(): void {
    this.list = [];
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(this.file, JSON.stringify(this.list, null, 1));
    } catch {
      // A read-only profile only loses the recent list.
    }
  }
}
