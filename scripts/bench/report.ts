// Formats the benchmark's rows as an aligned text table.

export interface Row {
  name: string;
  format: string;
  frames: number;
  /** In-process pass time (ms), for our own phases. */
  inProcessMs: number | null;
  /** Whole-process wall time (ms), Node start-up included for ours. */
  wallMs: number | null;
  peakRssMb: number | null;
  /** CPU cores other processes used meanwhile. */
  otherLoad: number | null;
  note?: string;
}

const fmtRate = (frames: number, ms: number | null) => ms && ms > 0 ? fmtCount(frames / (ms / 1000)) : '-';

export function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} k`;
  return n.toFixed(0);
}

export function table(rows: Row[]): string {
  const head = ['Measurement', 'Format', 'In-process s', 'Frames/s in-proc', 'Wall s', 'Frames/s wall', 'Peak RSS MB',
    'Other load', 'Note'];
  const body = rows.map((r) => [
    r.name, r.format,
    r.inProcessMs === null ? '-' : (r.inProcessMs / 1000).toFixed(2),
    r.inProcessMs === null ? '-' : fmtRate(r.frames, r.inProcessMs),
    r.wallMs === null ? '-' : (r.wallMs / 1000).toFixed(2),
    fmtRate(r.frames, r.wallMs),
    r.peakRssMb === null ? '-' : r.peakRssMb.toFixed(0),
    r.otherLoad === null ? '-' : r.otherLoad.toFixed(2),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === 8 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
