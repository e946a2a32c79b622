// The pure parts of live capture: error translation, tool output parsing, wire lengths, request checks, and the
// pcapng output's behaviour when the disk fills up (simulated write failures; a real full disk is in capture-lo).
import { mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureReader } from '../../capture/reader';
import { privilegeAdvice, translateCaptureError } from '../../capture/live/errors';
import { parsePipeStats, pipeArgs } from '../../capture/live/pipe-source';
import { parseDeviceList } from '../../capture/live/sources';
import { wireLength } from '../../capture/live/wire-length';
import { checkRequest } from '../../capture/live/protocol';
import { PcapngOutput } from '../../capture/live/pcapng-output';
import { PcapngWriter } from '../../capture/pcapng-writer';
import { ReceiveClock } from '../../capture/live/receive-clock';
import { formatCounters, parseCaptureArgs } from '../../cli/capture';

const linux = { platform: 'linux', executable: '/opt/PacketFlow/packetflow', device: 'eth0', filter: 'tcp port 80' };

describe('error messages', () => {
  it('turns cap\'s "socket: Operation not permitted" into what to do on Linux', () => {
    // The exact text cap 0.2.1 throws when run without capture rights (see ENVIRONMENT.md).
    const e = translateCaptureError(new Error('socket: Operation not permitted'), linux, 'open');
    expect(e.code).toBe('permission');
    expect(e.message).toContain("'eth0'");
    expect(e.message).toContain('cap_net_raw');
    expect(e.message).toContain('cap_net_admin');
    expect(e.message).toContain('sudo setcap cap_net_raw,cap_net_admin+eip /opt/PacketFlow/packetflow');
  });

  it('gives each OS its own remedy', () => {
    expect(privilegeAdvice({ platform: 'darwin', executable: 'x' })).toMatch(/\/dev\/bpf/);
    expect(privilegeAdvice({ platform: 'win32', executable: 'x' })).toMatch(/Npcap/);
    // Paths with spaces are quoted so the command can be pasted.
    expect(privilegeAdvice({ platform: 'linux', executable: '/opt/Packet Flow/pf' })).toContain("'/opt/Packet Flow/pf'");
  });

  it('recognises tcpdump\'s and dumpcap\'s wording too', () => {
    // tcpdump 4.99 and dumpcap 4.0 as a normal user.
    expect(translateCaptureError(new Error("lo: You don't have permission to capture on that device " +
      '(socket: Operation not permitted)'), linux, 'open').code).toBe('permission');
    expect(translateCaptureError(new Error("The capture session could not be initiated on interface 'lo' " +
      "(You don't have permission to capture on that device)."), linux, 'open').code).toBe('permission');
  });

  it('classifies a missing device, a bad filter and a vanished device', () => {
    expect(translateCaptureError(new Error('No such device exists'), linux, 'open').code).toBe('no-device');
    const f = translateCaptureError(new Error("can't parse filter expression: syntax error"), linux, 'open');
    expect(f.code).toBe('bad-filter');
    expect(f.message).toContain('"tcp port 80"');
    expect(f.message).toContain('syntax error');
    expect(translateCaptureError(new Error('The interface disappeared'), linux, 'read').code).toBe('device-vanished');
  });
});

describe('dumpcap / tcpdump plumbing', () => {
  it('reads the drop counters each tool prints when it stops', () => {
    // Verbatim stderr of `tcpdump -i lo -w -` and `dumpcap -i lo -w -` stopped with SIGINT on this machine.
    const tcpdump = 'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
      '12 packets captured\n20 packets received by filter\n3 packets dropped by kernel\n';
    expect(parsePipeStats('tcpdump', tcpdump)).toEqual({ received: 20, kernelDropped: 3, interfaceDropped: 0 });
    const dumpcap = "Capturing on 'Loopback: lo'\nFile: -\n\rPackets captured: 10\nPackets received/dropped on " +
      "interface 'Loopback: lo': 10/2 (pcap:2/dumpcap:0/flushed:0/ps_ifdrop:1) (83.3%)\n";
    expect(parsePipeStats('dumpcap', dumpcap)).toEqual({ received: 10, kernelDropped: 2, interfaceDropped: 1 });
    expect(parsePipeStats('dumpcap', 'nothing yet')).toEqual({ received: null, kernelDropped: null, interfaceDropped: null });
  });

  it('asks for an immediate, flushed stream with the requested options', () => {
    const o = { device: 'eth0', filter: '-weird', snaplen: 96, promiscuous: false, bufferSize: 8 << 20 };
    const t = pipeArgs('tcpdump', o);
    expect(t).toEqual(expect.arrayContaining(['-U', '--immediate-mode', '-p', '-B', '8192', '-s', '96']));
    expect(t.slice(-2)).toEqual(['--', '-weird']); // a filter is never taken for an option
    const d = pipeArgs('dumpcap', o);
    expect(d).toEqual(expect.arrayContaining(['-p', '-B', '8', '-f', '-weird', '-w', '-']));
  });

  it('parses the device lists of both tools', () => {
    const os = { lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }] } as never;
    // `tcpdump -D` and `dumpcap -D` on this machine (first lines).
    const td = parseDeviceList('1.eth0 [Up, Running, Connected]\n2.any (Pseudo-device that captures on all ' +
      'interfaces) [Up, Running]\n3.lo [Up, Running, Loopback]\n', os);
    expect(td.map((d) => d.name)).toEqual(['eth0', 'any', 'lo']);
    expect(td[1].description).toBe('Pseudo-device that captures on all interfaces');
    expect(td[2]).toMatchObject({ loopback: true, addresses: [{ addr: '127.0.0.1' }] });
    const dc = parseDeviceList('1. eth0\n2. any\n3. lo (Loopback)\n', os);
    expect(dc.map((d) => [d.name, d.loopback])).toEqual([['eth0', false], ['any', false], ['lo', true]]);
  });
});

describe('wire length of a frame cut at 65535 bytes', () => {
  it('comes from the IPv4 total length (a TSO segment on lo)', () => {
    const f = new Uint8Array(65535);
    f.set([0x08, 0x00], 12);
    f[14] = 0x45;
    f.set([0xff, 0xff], 16); // total length 65535
    expect(wireLength(f, 1)).toBe(14 + 65535);
  });

  it('comes from the IPv6 payload length behind a VLAN tag', () => {
    const f = new Uint8Array(65535);
    f.set([0x81, 0x00, 0x00, 0x05, 0x86, 0xdd], 12);
    f[18] = 0x60;
    f.set([0xff, 0xf0], 18 + 4); // payload length 65520
    expect(wireLength(f, 1)).toBe(18 + 40 + 65520);
  });

  it('never shortens a frame (Ethernet padding) and leaves other link types alone', () => {
    const f = new Uint8Array(60);
    f.set([0x08, 0x00], 12);
    f[14] = 0x45;
    f.set([0x00, 0x1c], 16); // 28-byte IP packet padded to 60
    expect(wireLength(f, 1)).toBe(60);
    expect(wireLength(new Uint8Array(100), 127)).toBe(100);
  });
});

describe('receive clock', () => {
  it('splits epoch time into exact seconds and nanoseconds', () => {
    let now = 0;
    const c = new ReceiveClock({ timeOrigin: 1_700_000_000_999.5, now: () => now });
    expect(c.now()).toEqual({ sec: 1_700_000_000, nsec: 999_500_000 });
    now = 0.5 + 0.000_25; // crosses the second, plus 250 ns
    expect(c.now()).toEqual({ sec: 1_700_000_001, nsec: 250 });
  });
});

describe('host requests', () => {
  it('accepts well-formed requests and explains bad ones', () => {
    expect(checkRequest({ type: 'start', id: 1, stream: true, options: { device: 'lo', filter: 'udp', snaplen: 100 } }))
      .toMatchObject({ type: 'start' });
    expect(checkRequest({ type: 'start', id: 1, stream: true, options: { device: '' } })).toMatch(/device/);
    expect(checkRequest({ type: 'start', id: 1, stream: true, options: { device: 'lo', snaplen: 0 } })).toMatch(/snaplen/);
    expect(checkRequest({ type: 'start', id: 1, stream: true, options: { device: 'lo', source: 'rm -rf' } })).toMatch(/source/);
    expect(checkRequest({ type: 'validate', id: 2, filter: 3, device: null })).toMatch(/filter/);
    expect(checkRequest({ type: 'list' })).toMatch(/id/);
    expect(checkRequest({ type: 'ack', seq: 4 })).toEqual({ type: 'ack', seq: 4 });
    expect(checkRequest('hello')).toMatch(/object/);
  });
});

describe('packetflow capture arguments', () => {
  it('parses the tcpdump-like options', () => {
    const p = parseCaptureArgs(['-i', 'lo', '-f', 'udp port 53', '-c', '10', '-w', 'x.pcapng', '-s', '128', '-p']);
    expect(p).toEqual({ list: false, host: false, quiet: false, options: {
      device: 'lo', filter: 'udp port 53', count: 10, outputFile: 'x.pcapng', snaplen: 128, promiscuous: false } });
    expect(parseCaptureArgs(['-i', 'a', '-i', 'b'])).toMatchObject({ options: { device: ['a', 'b'] } });
    expect(parseCaptureArgs(['--list'])).toMatchObject({ list: true });
  });

  it('says what is wrong with bad ones', () => {
    expect(parseCaptureArgs([])).toMatch(/-i IFACE/);
    expect(parseCaptureArgs(['-i', 'lo', '-c', '0'])).toMatch(/-c must be a whole number/);
    expect(parseCaptureArgs(['-i', 'lo', '-s', '300000'])).toMatch(/-s must be/);
    expect(parseCaptureArgs(['-i'])).toMatch(/-i needs a value/);
    expect(parseCaptureArgs(['-i', 'lo', '--bogus'])).toMatch(/unknown option/);
  });

  it('prints counters with unknown kernel drops as n/a', () => {
    const line = formatCounters({ source: 'cap', packets: 1234, bytes: 2_500_000, kernelDropped: null,
      interfaceDropped: null, ourDropped: 0, packetRate: 100, byteRate: 1500, elapsedMs: 2500 });
    expect(line).toBe('1234 packets, 2.5 MB, 100 pkt/s, 1.5 kB/s, dropped by kernel: n/a, dropped by us: 0, 2.5 s');
  });
});

describe('pcapng output', () => {
  it('writes packet blocks byte-identical to PcapngWriter.packet(), for ns and µs interfaces', () => {
    const pieces: Uint8Array[] = [];
    const out = new PcapngOutput({ file: null, onPiece: (p) => { pieces.push(p); return true; } });
    out.start([{ linkType: 1, snaplen: 65535, name: 'a', tsResolution: 1e9 },
      { linkType: 101, snaplen: 96, name: 'b', tsResolution: 1e6 }]);
    const ref = new PcapngWriter();
    const expected = [ref.header(), ref.interface({ linkType: 1, snaplen: 65535, name: 'a', tsresol: 9 }),
      ref.interface({ linkType: 101, snaplen: 96, name: 'b', tsresol: 6 })];
    const cases: [number, number, number, number, number][] = [
      [0, 1_795_670_593, 224_062_801, 0, 0], [1, 1_795_670_593, 999_999_999, 1, 60], [0, 4_294_967_295, 1, 2, 2],
      [1, 0, 0, 3, 3], [0, 1_700_000_000, 500, 1514, 1514], [1, 1_700_000_000, 123_456_789, 96, 1514],
    ];
    for (const [iface, sec, nsec, len, orig] of cases) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 7 + len) & 0xff);
      out.packet(iface, sec, nsec, bytes, orig);
      expected.push(ref.packet({ interface: iface, tsSec: sec, tsNsec: nsec, bytes, originalLength: orig }));
    }
    out.flush();
    const got = Buffer.concat(pieces);
    expect(got.equals(Buffer.concat(expected))).toBe(true);
  });
});

describe('pcapng output when the disk fills up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-live-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function frame(i: number): Uint8Array {
    const b = new Uint8Array(100 + i);
    b.fill(i & 0xff);
    return b;
  }

  it('keeps every complete block written before the failure and says so', () => {
    const file = join(dir, 'full.pcapng');
    let budget = 1500; // bytes the "disk" takes before ENOSPC
    const pieces: number[] = [];
    const out = new PcapngOutput({
      file,
      onPiece: (_piece, n) => { pieces.push(n); return true; },
      write: (fd, data, offset, length) => {
        const n = Math.min(length, budget);
        budget -= n;
        if (n === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return writeSync(fd, data, offset, n);
      },
    });
    out.start([{ linkType: 1, snaplen: 262144, name: 'lo', tsResolution: 1e9 }]);
    for (let i = 0; i < 20; i++) {
      out.packet(0, 1_700_000_000 + i, 123_456_789, frame(i), 100 + i);
      if (i % 5 === 4) out.flush();
    }
    out.finish([]);
    expect(out.fileError?.code).toBe('disk-full');
    expect(out.fileError?.message).toMatch(new RegExp(`after ${out.framesInFile} frames \\(${out.fileBytes} bytes\\)`));
    // The viewer still got every frame: only the file is short.
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(20);
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(out.fileBytes);
    expect(bytes.length).toBeLessThanOrEqual(1500);
    const reader = new CaptureReader('full.pcapng');
    const frames = [...reader.push(bytes), ...reader.end()];
    expect(reader.info.fatal).toBeNull();
    expect(reader.info.warnings).toEqual([]); // no half block at the end
    expect(frames.length).toBe(out.framesInFile);
    expect(frames.length).toBeGreaterThan(5);
    frames.forEach((f, i) => {
      expect(f.tsSec).toBe(1_700_000_000 + i);
      expect(f.tsNsec).toBe(123_456_789);
      expect(Array.from(f.bytes)).toEqual(Array.from(frame(i)));
    });
  });
});
