// The filter box's language over frame columns: protocols, addresses (with prefixes), ports, frame numbers,
// tshark analysis names, event names, text, and boolean combinations; errors carry a position.
import { describe, expect, it } from 'vitest';
import { compileFilter, filterMask, FilterError, type FilterColumns } from '../../renderer/filter/filter';
import { FrameProto } from '../../decoders/model';
import { eventCode } from '../../decoders/timeline';

// Frames: 1 TCP SYN 10.0.0.1:50000→93.184.216.34:443, 2 its retransmission, 3 DNS query 10.0.0.1:5353→10.0.0.53:53,
// 4 TLS ClientHello on conversation 0, 5 ICMPv6 between 2001:db8::1 and 2001:db8::2, 6 QUIC Initial to 8.8.8.8:443.
const cols: FilterColumns = {
  count: 6,
  time: Float64Array.of(0, 1, 1.5, 2, 3, 4),
  len: Uint32Array.of(74, 74, 80, 583, 104, 1292),
  proto: Uint8Array.of(FrameProto.TCP, FrameProto.TCP, FrameProto.DNS, FrameProto.TLS, FrameProto.ICMP, FrameProto.QUIC),
  src: Int32Array.of(0, 0, 0, 0, 3, 0),
  dst: Int32Array.of(1, 1, 2, 1, 4, 5),
  srcPort: Uint16Array.of(50000, 50000, 5353, 50000, 0, 61000),
  dstPort: Uint16Array.of(443, 443, 53, 443, 0, 443),
  conv: Int32Array.of(0, 0, 1, 0, -1, 2),
  hosts: ['10.0.0.1', '93.184.216.34', '10.0.0.53', '2001:db8::1', '2001:db8::2', '8.8.8.8'],
  hostNames: new Map([['93.184.216.34', 'example.com']]),
  convs: [{ protocol: 'tcp', tcpStream: 0, title: 'TLS example.com' }, { protocol: 'udp', tcpStream: -1, title: 'DNS' }, { protocol: 'quic', tcpStream: -1, title: 'QUIC dns.google' }],
  eventCount: 5,
  eventKind: Uint8Array.of(eventCode('tcp.syn_sent'), eventCode('tcp.retransmission'), eventCode('dns.query'), eventCode('tls.client_hello'), eventCode('quic.initial')),
  eventFrame: Uint32Array.of(1, 2, 3, 4, 6),
};

const frames = (expr: string): number[] => {
  const p = compileFilter(expr, cols);
  if (!p) return [];
  return Array.from(filterMask(p, cols.count).mask).flatMap((m, i) => (m ? [i + 1] : []));
};

describe('filter', () => {
  it('is no filter when empty', () => {
    expect(compileFilter('  ', cols)).toBeNull();
  });
  it('matches protocols', () => {
    expect(frames('tcp')).toEqual([1, 2, 4]);
    expect(frames('udp')).toEqual([3, 6]);
    expect(frames('dns')).toEqual([3]);
    expect(frames('tls')).toEqual([4]);
    expect(frames('quic')).toEqual([6]);
    expect(frames('icmp')).toEqual([5]);
    expect(frames('ipv6')).toEqual([5]);
    expect(frames('ip')).toEqual([1, 2, 3, 4, 6]);
  });
  it('matches addresses, sides and prefixes', () => {
    expect(frames('ip.addr == 10.0.0.53')).toEqual([3]);
    expect(frames('ip.dst == 93.184.216.34')).toEqual([1, 2, 4]);
    expect(frames('ip.src == 93.184.216.34')).toEqual([]);
    expect(frames('ip.addr == 10.0.0.0/24')).toEqual([1, 2, 3, 4, 6]);
    expect(frames('ipv6.addr == 2001:db8::/32')).toEqual([5]);
    expect(frames('8.8.8.8')).toEqual([6]);
    expect(frames('ip.addr != 10.0.0.1')).toEqual([5]);
  });
  it('matches ports per transport', () => {
    expect(frames('tcp.port == 443')).toEqual([1, 2, 4]);
    expect(frames('udp.port == 443')).toEqual([6]);
    expect(frames('port == 443')).toEqual([1, 2, 4, 6]);
    expect(frames('udp.dstport == 53')).toEqual([3]);
    expect(frames('tcp.srcport == 443')).toEqual([]);
    expect(frames('53')).toEqual([3]);
    expect(frames('tcp.port > 1000')).toEqual([1, 2, 4]);
  });
  it('matches tshark analysis names and timeline event names', () => {
    expect(frames('tcp.analysis.retransmission')).toEqual([2]);
    expect(frames('tcp.analysis.flags')).toEqual([2]);
    expect(frames('tls.client_hello')).toEqual([4]);
    expect(frames('quic.initial || dns.query')).toEqual([3, 6]);
  });
  it('matches frame numbers, lengths, times and TCP streams', () => {
    expect(frames('frame.number >= 5')).toEqual([5, 6]);
    expect(frames('frame.len > 500')).toEqual([4, 6]);
    expect(frames('frame.time_relative < 1.2')).toEqual([1, 2]);
    expect(frames('tcp.stream == 0')).toEqual([1, 2, 4]);
  });
  it('matches names from DNS and conversation titles', () => {
    expect(frames('example')).toEqual([1, 2, 4]);
    expect(frames('host contains "dns.google"')).toEqual([6]);
    expect(frames('tls.sni == example.com')).toEqual([1, 2, 4]);
  });
  it('combines with and/or/not and parentheses', () => {
    expect(frames('tcp && !tcp.analysis.retransmission')).toEqual([1, 4]);
    expect(frames('not (tcp or udp)')).toEqual([5]);
    expect(frames('tcp.port == 443 and frame.number < 3 or icmp')).toEqual([1, 2, 5]);
  });
  it('reports errors with their position', () => {
    const err = (e: string) => {
      try {
        compileFilter(e, cols);
      } catch (x) {
        return x as FilterError;
      }
      throw new Error(`no error for ${e}`);
    };
    expect(err('tcp.prot == 443')).toMatchObject({ message: 'unknown field "tcp.prot"', position: 0 });
    expect(err('tcp and (udp')).toMatchObject({ message: '")" expected' });
    expect(err('tcp.port == ')).toMatchObject({ message: 'value expected' });
    expect(err('tcp.port == abc').message).toMatch(/not a number/);
    expect(err('tcp.analysis.bogus').message).toMatch(/unknown field/);
    expect(err('tcp "unterminated').message).toMatch(/unterminated/);
  });
});
