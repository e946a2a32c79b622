// The details tree: Wireshark field names, labels, and byte ranges. Checked against tshark's PDML output, which
// gives each field's name, position and size.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needTshark } from '../../support/require';
import { describeFrame, type LayerNode } from '../../../decoders/wire/describe';
import { TcpFlag } from '../../../decoders/packet';
import { be16, be32, cat, ethernet, ext6, frag6, icmp, ipv4, ipv6, le16, le32, pcapFile, rawFrame, tcp, udp } from './helpers';

const syn = ethernet(0x0800, ipv4({ proto: 6, src: '192.0.2.1', dst: '192.0.2.2', options: [0x94, 4, 0, 0] },
  tcp({ sp: 40001, dp: 443, flags: TcpFlag.SYN, options: [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...be32(7), ...be32(0), 1, 3, 3, 7] })));

const fixtures: { name: string; linkType: number; bytes: Uint8Array }[] = [
  { name: 'Ethernet/IPv4+options/TCP SYN', linkType: 1, bytes: syn },
  { name: 'VLAN/IPv6/UDP', linkType: 1,
    bytes: ethernet(0x8100, cat([0x20, 5], be16(0x86dd), ipv6({ nh: 17, src: 'fe80::1', dst: 'ff02::fb' }, udp(5353, 5353, [1, 2, 3])))) },
  { name: 'QinQ/ARP', linkType: 1,
    bytes: ethernet(0x88a8, cat([0, 100], be16(0x8100), [0, 200], be16(0x0806),
      cat(be16(1), be16(0x0800), [6, 4], be16(1), [2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]))) },
  { name: 'SLL/IPv4/ICMP port unreachable quoting UDP', linkType: 113,
    bytes: cat(be16(4), be16(1), be16(6), [2, 0, 0, 0, 0, 1, 0, 0], be16(0x0800),
      ipv4({ proto: 1 }, icmp(3, 3, cat([0, 0, 0, 0], ipv4({ proto: 17, src: '10.0.0.2', dst: '10.0.0.1' }, udp(5000, 53, [1, 2])))))) },
  { name: 'SLL2/IPv6 hop-by-hop/ICMPv6 echo', linkType: 276,
    bytes: cat(be16(0x86dd), [0, 0], be32(2), be16(1), [0, 6], [2, 0, 0, 0, 0, 1, 0, 0],
      ipv6({ nh: 0 }, cat(ext6(58, [5, 2, 0, 0, 1, 0]), icmp(128, 0, cat(be16(1), be16(2), [9, 9]))))) },
  { name: 'NULL/IPv6 fragment', linkType: 0, bytes: cat(le32(30), ipv6({ nh: 44 }, cat(frag6(17, 0, true, 99), new Uint8Array(16)))) },
  { name: 'NFLOG/IPv4/TCP SACK', linkType: 239,
    bytes: (() => {
      const ip = ipv4({ proto: 6 }, tcp({ flags: TcpFlag.ACK, options: [1, 1, 5, 10, ...be32(100), ...be32(200)] }));
      return cat([2, 0, 0, 1], le16(8), le16(1), [8, 0, 1, 0], le16(4 + ip.length), le16(9), ip);
    })() },
  { name: 'MPLS/IPv4/UDP', linkType: 1, bytes: ethernet(0x8847, cat([0, 1, 0x41, 64], ipv4({ proto: 17 }, udp(1000, 2000, [1])))) },
  { name: 'PPP/IPv4/TCP', linkType: 9, bytes: cat([0xff, 3, 0, 0x21], ipv4({ proto: 6 }, tcp({}, [1, 2, 3]))) },
];

function flatten(nodes: LayerNode[], out: LayerNode[] = []): LayerNode[] {
  for (const n of nodes) { out.push(n); if (n.children) flatten(n.children, out); }
  return out;
}

describe('describeFrame', () => {
  it('lays out a TCP SYN like tshark -V', () => {
    const tree = describeFrame(rawFrame(syn));
    expect(tree.map((n) => n.name)).toEqual(['frame', 'eth', 'ip', 'tcp']);
    const all = flatten(tree);
    const by = (name: string) => all.find((n) => n.name === name)!;
    expect(by('frame.protocols').label).toBe('[Protocols in frame: eth:ip:tcp]');
    expect(by('eth.type').label).toBe('Type: IPv4 (0x0800)');
    expect(by('ip.src')).toMatchObject({ label: 'Source Address: 192.0.2.1', offset: 26, length: 4 });
    expect(by('ip.proto').label).toBe('Protocol: TCP (6)');
    expect(by('tcp')).toMatchObject({ label: 'Transmission Control Protocol, Src Port: 40001, Dst Port: 443, Len: 0', offset: 38, length: 40 });
    expect(by('tcp.srcport')).toMatchObject({ label: 'Source Port: 40001', offset: 38, length: 2 });
    expect(by('tcp.flags').label).toBe('Flags: 0x002 (SYN)');
    expect(by('tcp.options.mss_val')).toMatchObject({ label: 'MSS Value: 1460', offset: 60, length: 2 });
    expect(by('tcp.options.wscale').label).toBe('TCP Option - Window scale: 7 (multiply by 128)');
    expect(by('tcp.options.timestamp').label).toBe('TCP Option - Timestamps: TSval 7, TSecr 0');
  });

  it('shows the payload as one node and issues as expert rows', () => {
    const b = ethernet(0x0800, ipv4({ proto: 17 }, udp(1, 2, new Uint8Array(40))));
    const tree = describeFrame(rawFrame(b.subarray(0, 60), 1, b.length));
    expect(tree.map((n) => n.name)).toEqual(['frame', 'eth', 'ip', 'udp', 'data']);
    expect(tree[4]).toMatchObject({ label: 'Data (18 bytes)', offset: 42, length: 18 });
    expect(flatten(tree).some((n) => n.name === '_ws.short')).toBe(true);
  });

  it('marks undecoded link types as data', () => {
    const tree = describeFrame(rawFrame(new Uint8Array([1, 2, 3]), 160));
    expect(tree.map((n) => n.name)).toEqual(['frame', 'data']);
  });

  it('keeps every byte range inside the frame', () => {
    for (const f of fixtures) {
      for (const n of flatten(describeFrame(rawFrame(f.bytes, f.linkType)))) {
        expect(n.offset + n.length, `${f.name} ${n.name}`).toBeLessThanOrEqual(f.bytes.length);
      }
    }
  });
});

/** name -> list of "pos:size" from tshark -T pdml. */
function pdml(bytes: Uint8Array, linkType: number): Map<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-wire-'));
  try {
    const file = join(dir, 't.pcap');
    writeFileSync(file, pcapFile([{ bytes }], linkType));
    const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'pdml'], { encoding: 'utf8' });
    const m = new Map<string, string[]>();
    for (const x of r.stdout.matchAll(/<(?:field|proto) ([^>]*)>/g)) {
      const attr = (k: string) => new RegExp(` ?${k}="([^"]*)"`).exec(' ' + x[1])?.[1];
      const name = attr('name'), pos = attr('pos'), size = attr('size');
      if (name === undefined || pos === undefined || size === undefined) continue;
      m.set(name, [...(m.get(name) ?? []), `${pos}:${size}`]);
    }
    return m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Our rows that tshark has no field for (summaries of our own) or names its differently on purpose.
const OURS_ONLY = new Set(['', 'frame', 'frame.interface_id', 'frame.encap_type', 'frame.time', 'frame.time_epoch', 'frame.number',
  'frame.len', 'frame.cap_len', 'frame.protocols', 'data', 'data.data', 'data.len', 'tcp.len', 'udp.payload',
  'ipv6.fraghdr.nxt', 'ipv6.hopopts.nxt', 'ipv6.hopopts.len', 'llc.control', 'sll.src.eth', 'mpls.label']);

describe.skipIf(needTshark())('describeFrame agrees with tshark PDML', () => {
  for (const f of fixtures) {
    it(f.name, () => {
      const theirs = pdml(f.bytes, f.linkType);
      const missing: string[] = [];
      for (const n of flatten(describeFrame(rawFrame(f.bytes, f.linkType)))) {
        if (OURS_ONLY.has(n.name)) continue;
        const spots = theirs.get(n.name);
        if (!spots) { missing.push(n.name); continue; }
        // Protocol rows may differ in length (tshark's spans the whole PDU); fields must match exactly.
        if (n.children && n.name.split('.').length === 1) {
          expect(spots.some((s) => Number(s.split(':')[0]) === n.offset), `${n.name} at ${n.offset} in ${spots}`).toBe(true);
        } else {
          expect(spots, `${n.name} (${n.label})`).toContain(`${n.offset}:${n.length}`);
        }
      }
      expect(missing, 'field names tshark does not know').toEqual([]);
    });
  }
});
