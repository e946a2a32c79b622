// The live-capture UI's texts: counters (kernel drops "n/a" where the source cannot tell) and interface order.
import { describe, expect, it } from 'vitest';
import { counterCells, defaultInterface, formatDuration, sortInterfaces } from '../../renderer/live/format';

describe('live counters', () => {
  const stats = { session: 1, captured: 123456, droppedKernel: 0, droppedOurs: 0, bytes: 9_876_543, rate: 1234.4,
    elapsedMs: 3_723_000, paused: false };

  it('show every counter, kernel drops as n/a for cap', () => {
    const cells = counterCells({ ...stats, droppedKernelUnknown: true });
    expect(cells.map((c) => [c.key, c.value])).toEqual([
      ['captured', '123,456'], ['kernel', 'n/a'], ['ours', '0'], ['bytes', '9.9 MB'], ['rate', '1,234 pkt/s'],
      ['elapsed', '1:02:03'],
    ]);
    expect(cells.find((c) => c.key === 'kernel')!.title).toMatch(/dumpcap or tcpdump/);
  });

  it('flag drops', () => {
    const cells = counterCells({ ...stats, droppedKernel: 5, droppedOurs: 2 });
    expect(cells.filter((c) => c.bad).map((c) => c.key)).toEqual(['kernel', 'ours']);
    expect(counterCells(null).map((c) => c.value)).toEqual(['0', '0', '0', '0 B', '0 pkt/s', '0:00']);
    expect(formatDuration(59_999)).toBe('0:59');
  });
});

describe('interface list', () => {
  it('puts devices with addresses first, loopback and pseudo-devices last', () => {
    const list = [
      { name: 'lo', addresses: ['127.0.0.1'], loopback: true },
      { name: 'any', addresses: [], description: 'Pseudo-device that captures on all interfaces' },
      { name: 'nflog', addresses: [] },
      { name: 'eth0', addresses: ['192.0.2.2'] },
    ];
    expect(sortInterfaces(list).map((i) => i.name)).toEqual(['eth0', 'nflog', 'any', 'lo']);
    expect(defaultInterface(list)).toBe('eth0');
    expect(defaultInterface([])).toBe('');
  });
});
