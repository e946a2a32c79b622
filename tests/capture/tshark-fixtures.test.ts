// Our writers' fixtures for every variant, read by tshark and by our reader: times, lengths and comments must agree.
// This checks the writers (tshark accepts their files) and the reader against an independent implementation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawFrame } from '../../capture/frame';
import { writePcap } from '../../capture/pcap-writer';
import { PcapngWriter, type InterfaceOptions } from '../../capture/pcapng-writer';
import { needTshark } from '../support/require';
import { concat, readBytes, samplePackets } from './fixtures';

const skip = needTshark();
const dir = mkdtempSync(join(tmpdir(), 'packetflow-tshark-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packets = samplePackets(12);

function pcapngWith(iface: InterfaceOptions, bigEndian = false): Uint8Array {
  const w = new PcapngWriter({ bigEndian });
  return concat(w.header({ application: 'packetflow tests' }), w.interface(iface),
    ...packets.map((p, i) => w.packet({ ...p, comments: i % 4 === 1 ? [`comment ${i}`] : undefined })));
}

function everything(): Uint8Array {
  const a = new PcapngWriter();
  const b = new PcapngWriter({ bigEndian: true });
  return concat(
    a.header(), a.interface({ tsresol: 9, name: 'eth0' }), a.secrets('CLIENT_RANDOM 00 11\n'),
    a.packet(packets[0]), a.nameResolution([{ address: Uint8Array.of(192, 0, 2, 7), names: ['h.example'] }]),
    a.obsoletePacket({ ...packets[1], comments: ['old block'] }), a.block(0x00001234, new Uint8Array(12)),
    a.statistics(0, { tsSec: packets[1].tsSec, ifRecv: 2 }),
    b.header(), b.interface({ tsresol: 0x80 | 24, snaplen: 100 }), b.packet(packets[2]), b.simplePacket(packets[3].bytes.subarray(0, 100), packets[3].bytes.length),
    b.packet({ ...packets[4], comments: ['big-endian section'] }),
  );
}

const VARIANTS: [string, Uint8Array][] = [
  ['pcap µs LE', writePcap(packets)],
  ['pcap µs BE', writePcap(packets, { bigEndian: true })],
  ['pcap ns LE', writePcap(packets, { nanosecond: true })],
  ['pcap ns BE', writePcap(packets, { nanosecond: true, bigEndian: true })],
  ['pcap snaplen-truncated', writePcap(packets.map((p) => ({ ...p, bytes: p.bytes.subarray(0, 50), originalLength: p.bytes.length })), { snaplen: 50 })],
  ['pcapng µs LE', pcapngWith({})],
  ['pcapng ns BE', pcapngWith({ tsresol: 9 }, true)],
  ['pcapng 10^-3', pcapngWith({ tsresol: 3 })],
  ['pcapng 2^-10', pcapngWith({ tsresol: 0x80 | 10 })],
  ['pcapng 2^-20 BE', pcapngWith({ tsresol: 0x80 | 20 }, true)],
  ['pcapng 2^-30', pcapngWith({ tsresol: 0x80 | 30 })],
  ['pcapng tsoffset', pcapngWith({ tsoffset: 86400 * 365 })],
  ['pcapng with every block type, two sections', everything()],
  ['gzip pcapng', new Uint8Array(gzipSync(pcapngWith({ tsresol: 9 })))],
  ['gzip pcap, two members', concat(new Uint8Array(gzipSync(writePcap(packets).subarray(0, 3000))), new Uint8Array(gzipSync(writePcap(packets).subarray(3000))))],
];

function tshark(path: string): string[] {
  const r = spawnSync('tshark', ['-r', path, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|',
    '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.comment'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

function ours(f: RawFrame, spb: boolean): string {
  // tshark prints no time for a Simple Packet Block (it has none); ours reports 0 for it.
  const time = spb ? '' : `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;
  return [time, f.originalLength, f.bytes.length, (f.comments ?? []).join('|')].join('\t');
}

describe.skipIf(skip)('writer fixtures read by tshark and by us', () => {
  for (const [label, bytes] of VARIANTS) {
    it(label, () => {
      const path = join(dir, `${label.replace(/\W+/g, '_')}.cap`);
      writeFileSync(path, bytes);
      const { frames, info } = readBytes(bytes);
      expect(info.warnings).toEqual([]);
      expect(frames.length).toBeGreaterThan(0);
      // A frame read from a Simple Packet Block: block type 3 (either byte order) at its offset.
      const spb = (f: RawFrame) => {
        if (info.format !== 'pcapng' || info.compressed) return false;
        const type = new DataView(bytes.buffer, bytes.byteOffset).getUint32(f.fileOffset, true);
        return type === 3 || type === 0x03000000;
      };
      expect(frames.map((f) => ours(f, spb(f)))).toEqual(tshark(path));
    });
  }

  it('custom blocks: tshark 4.0.17 lists them as records of their own, and so do we', () => {
    // tshark -V shows "PCAPNG Custom Block 1: 4 bytes ... PEN ... (32473)" and then "Frame 2: 60 bytes on wire" for
    // the packet: our frame numbers follow (records have no time: tshark prints none, so only numbers are compared).
    const w = new PcapngWriter();
    const bytes = concat(w.header(), w.custom(32473, Uint8Array.of(1, 2, 3)), w.interface(), w.packet(packets[0]),
      w.custom(12345, new Uint8Array(17), false), w.packet(packets[1]));
    const path = join(dir, 'custom.pcapng');
    writeFileSync(path, bytes);
    const { frames, info } = readBytes(bytes);
    expect(info.warnings).toEqual([]);
    const lines = tshark(path);
    expect(lines).toHaveLength(4);
    expect(frames.map((f) => f.record)).toEqual(['custom', undefined, 'custom', undefined]);
    expect(frames.map((f) => f.index)).toEqual([1, 2, 3, 4]);
    expect([ours(frames[1], false), ours(frames[3], false)]).toEqual([lines[1], lines[3]]);
    expect(lines[0]).toBe('\t4\t4\t');
    expect(lines[2]).toBe('\t20\t20\t');
  });

  it('capinfos counts the Decryption Secrets block we wrote', () => {
    const path = join(dir, 'dsb.pcapng');
    writeFileSync(path, everything());
    const r = spawnSync('capinfos', [path], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/Number of decryption secrets in file: 1/);
    expect(readBytes(everything()).info.secrets).toHaveLength(1);
  });
});
