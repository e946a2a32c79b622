// Every real capture in ../shared/captures against tshark/capinfos' view of it (the oracle JSON, built only from
// tshark 4.0.17 and capinfos output).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../../capture/frame';
import { readCaptureFileSync } from '../../capture/node-file-source';
import { needShared, sharedCaptures } from '../support/require';
import { frameSummary, readBytes } from './fixtures';

const skip = needShared();

/** Wireshark encapsulation numbers (frame.encap_type, in the oracle) -> LINKTYPE_ values, for the ones present. */
const WTAP_TO_LINKTYPE: Record<string, number> = {
  1: 1, // ether -> LINKTYPE_ETHERNET
  15: 0, // null -> LINKTYPE_NULL
  25: 113, // linux-sll -> LINKTYPE_LINUX_SLL
  210: 276, // linux-sll2 -> LINKTYPE_LINUX_SLL2
  7: 101, // rawip -> LINKTYPE_RAW
  129: 228, // rawip4 -> LINKTYPE_IPV4
  130: 229, // rawip6 -> LINKTYPE_IPV6
  4: 9, // ppp -> LINKTYPE_PPP
  141: 239, // nflog -> LINKTYPE_NFLOG
  58: 160, // user13 -> LINKTYPE_USER13 (DLT 160)
  198: 274, // ether-mpacket -> LINKTYPE_ETHERNET_MPACKET
};

interface Oracle {
  frames: number;
  capinfos: Record<string, unknown>;
  frame_summary: { encap_type_counts: Record<string, number>; interface_id_counts: Record<string, number>; snaplen_truncated_frames: number[] };
  tshark_stderr?: string[];
  tshark_exit_codes: Record<string, number>;
}

const names = skip ? [] : readdirSync(sharedCaptures).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
const oracle = (name: string): Oracle => JSON.parse(readFileSync(join(sharedCaptures, 'oracle', `${name}.json`), 'utf8'));

function readFile(name: string) {
  const frames: RawFrame[] = [];
  const info = readCaptureFileSync(join(sharedCaptures, name), (batch) => {
    for (const f of batch) frames.push({ ...f, bytes: f.bytes.slice() });
  });
  return { frames, info };
}

function counts(values: (string | number)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

describe.skipIf(skip)('every capture in ../shared/captures', () => {
  it('there are captures to read', () => expect(names.length).toBeGreaterThan(50));

  for (const name of names) {
    it(name, () => {
      const o = oracle(name);
      const { frames, info } = readFile(name);
      expect(info.fatal).toBeNull();
      expect(info.frames).toBe(o.frames);
      expect(frames).toHaveLength(o.frames);
      expect(frames.map((f) => f.index)).toEqual(frames.map((_, i) => i + 1));

      // Files tshark/capinfos found damaged must give warnings; the others must read cleanly.
      const damaged = (o.tshark_stderr?.length ?? 0) > 0 || o.capinfos.capinfos_rc !== 0
        || Object.values(o.tshark_exit_codes).some((c) => c !== 0);
      if (damaged) expect(info.warnings.length).toBeGreaterThan(0);
      else expect(info.warnings).toEqual([]);

      // capinfos' "Data size" is the sum of the original lengths.
      expect(`${frames.reduce((n, f) => n + f.originalLength, 0)} bytes`).toBe(o.capinfos['Data size']);
      // Snaplen-truncated frames (frame.cap_len < frame.len) are the same ones.
      expect(frames.filter((f) => f.bytes.length < f.originalLength).map((f) => f.index)).toEqual(o.frame_summary.snaplen_truncated_frames);
      // Link types per frame.
      const expectedLinks: Record<string, number> = {};
      for (const [wtap, n] of Object.entries(o.frame_summary.encap_type_counts)) {
        expect(WTAP_TO_LINKTYPE[wtap], `encapsulation ${wtap} is in the table`).toBeDefined();
        expectedLinks[WTAP_TO_LINKTYPE[wtap]] = n;
      }
      expect(counts(frames.map((f) => f.linkType))).toEqual(expectedLinks);
      expect([...info.linkTypes].sort()).toEqual(Object.keys(expectedLinks).map(Number).sort());
      // Interface ids (tshark numbers them per section; with a single section that is the file-wide id).
      const sections = Object.keys(o.capinfos).filter((k) => k.startsWith('Section ')).length;
      if (Object.keys(o.frame_summary.interface_id_counts).length > 0 && sections <= 1) {
        expect(counts(frames.map((f) => f.interface))).toEqual(o.frame_summary.interface_id_counts);
        expect(info.interfaces).toHaveLength(Number(o.capinfos['Number of interfaces in file']));
      }
      // Decryption secrets are kept.
      const secrets = Number(o.capinfos['Number of decryption secrets in file'] ?? 0);
      expect(info.secrets).toHaveLength(secrets);
      for (const s of info.secrets) {
        expect(s.type).toBe(0x544c534b);
        expect(s.text).toMatch(/^(CLIENT|SERVER)_[A-Z_0-9]+ [0-9a-f]+ [0-9a-f]+$/m);
      }
    });
  }

  it('gzip-compressed, every capture reads exactly as the plain file', () => {
    for (const name of names) {
      const plain = new Uint8Array(readFileSync(join(sharedCaptures, name)));
      const a = readBytes(plain, 65536, name);
      const b = readBytes(new Uint8Array(gzipSync(plain)), 65536, name);
      expect(b.info.compressed, name).toBe(true);
      expect(b.info.warnings, name).toEqual(a.info.warnings);
      expect(b.frames.map(frameSummary), name).toEqual(a.frames.map(frameSummary));
    }
  });

  it('tcpdump__tcp-handshake-nano.pcap keeps nanoseconds', () => {
    // tshark -T fields -e frame.time_epoch -e frame.len -e frame.cap_len shows:
    //   1418145369.924505488 76 76 / 1418145370.052027262 76 76 / 1418145370.052115157 68 68
    const { frames, info } = readFile('tcpdump__tcp-handshake-nano.pcap');
    expect(info.interfaces[0].tsResolution).toBe(1e9);
    expect(frames.map((f) => [f.tsSec, f.tsNsec, f.originalLength, f.bytes.length])).toEqual([
      [1418145369, 924505488, 76, 76], [1418145370, 52027262, 76, 76], [1418145370, 52115157, 68, 68]]);
  });

  it('zeek__pcapng-multi-interface.pcapng mixes ns and µs interfaces', () => {
    // tshark -e frame.time_epoch -e frame.interface_id shows:
    //   1767663089.500330493 0, 1767663089.514291940 0, then 1767663437.111897000 1 ... on the µs interface
    const { frames } = readFile('zeek__pcapng-multi-interface.pcapng');
    expect(frames.slice(0, 3).map((f) => [f.tsSec, f.tsNsec, f.interface])).toEqual([
      [1767663089, 500330493, 0], [1767663089, 514291940, 0], [1767663437, 111897000, 1]]);
  });

  it('tcpdump__unsupported-link-type-160.pcap: the frame is counted and kept with its link type', () => {
    const { frames, info } = readFile('tcpdump__unsupported-link-type-160.pcap');
    expect(info.linkTypes).toEqual([160]);
    expect(frames).toHaveLength(1);
    expect(frames[0].bytes.length).toBe(63 - 24 - 16);
  });

  it('illustrated-quic__capture.dsb.pcapng: the key log comes before frame 1', () => {
    const { info } = readFile('illustrated-quic__capture.dsb.pcapng');
    expect(info.secrets).toHaveLength(1);
    expect(info.secrets[0].beforeFrame).toBe(1);
    expect(info.secrets[0].text.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET 000102030405060708090a0b0c0d0e0f')).toBe(true);
  });

  it('pcapng-test-generator test201 (3 sections): file-wide interface ids, SPB captured length cut by the snaplen', () => {
    // tshark shows frame.len 314, 342, 314, 168 and frame.cap_len 96, 128, 128, 168. capinfos lists 5 interfaces:
    // eth0 (snaplen 96) and null1 in section 0, "silly ethernet interface 2" (snaplen 128) in section 1, eth0 and
    // null1 again in section 2. Interface ids are scoped to their section (pcapng spec), so frame 2 (section 1, id 0)
    // is on "silly ethernet interface 2" - its 128-byte cut matches that snaplen. tshark 4.0.17 prints
    // frame.interface_id 0,0,0,1 and interface_name eth0 for frame 2: it does not rebase ids per section.
    const { frames, info } = readFile('pcapng-test-generator__output_le_difficult_test201.pcapng');
    expect(frames.map((f) => [f.originalLength, f.bytes.length])).toEqual([[314, 96], [342, 128], [314, 128], [168, 168]]);
    expect(frames.map((f) => f.interface)).toEqual([0, 2, 2, 4]);
    expect(frames.map((f) => info.interfaces[f.interface].name)).toEqual(['eth0', 'silly ethernet interface 2', 'silly ethernet interface 2', 'null1']);
    expect(frames.map((f) => f.linkType)).toEqual([1, 1, 1, 0]);
    expect(info.interfaces.map((i) => i.snaplen)).toEqual([96, 0, 128, 96, 0]);
    expect(info.statistics.length).toBe(4);
  });
});
