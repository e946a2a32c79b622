// QUIC transport parameters (RFC 9000 §18), carried in the TLS extension quic_transport_parameters (57; drafts
// used 0xffa5). Each parameter is id (varint), length (varint), value. Drafts before -27 used 16-bit ids and
// lengths behind a 16-bit total length.
import { readU32, readVarint, toHex } from './varint';
import { versionHex } from './versions';

export const TP_EXTENSION = 57;
export const TP_EXTENSION_DRAFT = 0xffa5;

export interface TransportParameter {
  id: number;
  name: string;
  /** Decoded value: a number for integer parameters, hex for byte strings, true for flags, an object for
   * preferred_address and version_information. */
  value: number | string | boolean | Record<string, unknown>;
}

export interface TransportParameters {
  list: TransportParameter[];
  /** Convenience view by name (the last occurrence wins). */
  byName: Record<string, TransportParameter['value']>;
  issue?: string;
}

type Kind = 'int' | 'bytes' | 'flag' | 'preferred_address' | 'version_information';

const KNOWN: Record<number, [string, Kind]> = {
  0x00: ['original_destination_connection_id', 'bytes'],
  0x01: ['max_idle_timeout', 'int'],
  0x02: ['stateless_reset_token', 'bytes'],
  0x03: ['max_udp_payload_size', 'int'],
  0x04: ['initial_max_data', 'int'],
  0x05: ['initial_max_stream_data_bidi_local', 'int'],
  0x06: ['initial_max_stream_data_bidi_remote', 'int'],
  0x07: ['initial_max_stream_data_uni', 'int'],
  0x08: ['initial_max_streams_bidi', 'int'],
  0x09: ['initial_max_streams_uni', 'int'],
  0x0a: ['ack_delay_exponent', 'int'],
  0x0b: ['max_ack_delay', 'int'],
  0x0c: ['disable_active_migration', 'flag'],
  0x0d: ['preferred_address', 'preferred_address'],
  0x0e: ['active_connection_id_limit', 'int'],
  0x0f: ['initial_source_connection_id', 'bytes'],
  0x10: ['retry_source_connection_id', 'bytes'],
  0x11: ['version_information', 'version_information'], // RFC 9368
  0x20: ['max_datagram_frame_size', 'int'], // RFC 9221
  0x2ab2: ['grease_quic_bit', 'flag'], // RFC 9287
  0x3127: ['google_connection_options', 'bytes'],
  0x3128: ['google_user_agent', 'bytes'],
  0x4752: ['google_version', 'bytes'],
  0xff73db: ['version_information (draft)', 'version_information'],
  0xff04de1a: ['min_ack_delay', 'int'], // draft-ietf-quic-ack-frequency
  0xff04de1b: ['min_ack_delay', 'int'],
};

export function transportParameterName(id: number): string {
  const k = KNOWN[id];
  if (k) return k[0];
  if (id >= 27 && (id - 27) % 31 === 0) return 'GREASE';
  return `unknown (0x${id.toString(16)})`;
}

/** Parses the extension body. `legacy` selects the pre-draft-27 16-bit layout. Never throws. */
export function parseTransportParameters(data: Uint8Array, legacy = false): TransportParameters {
  const list: TransportParameter[] = [];
  const byName: TransportParameters['byName'] = {};
  let p = 0, end = data.length;
  let issue: string | undefined;
  if (legacy) {
    if (end < 2) return { list, byName, issue: 'parameter list cut short' };
    end = Math.min(end, 2 + ((data[0] << 8) | data[1]));
    p = 2;
  }
  while (p < end && list.length < 256) {
    let id: number, len: number;
    if (legacy) {
      if (p + 4 > end) { issue = 'parameter header cut short'; break; }
      id = (data[p] << 8) | data[p + 1];
      len = (data[p + 2] << 8) | data[p + 3];
      p += 4;
    } else {
      const a = readVarint(data, p, end);
      if (a.value < 0) { issue = 'parameter id cut short'; break; }
      id = a.value; p += a.length;
      const b = readVarint(data, p, end);
      if (b.value < 0) { issue = 'parameter length cut short'; break; }
      len = b.value; p += b.length;
    }
    if (p + len > end) { issue = `parameter 0x${id.toString(16)} runs past the extension`; break; }
    const v = data.subarray(p, p + len);
    p += len;
    const param: TransportParameter = { id, name: transportParameterName(id), value: decodeValue(id, v) };
    list.push(param);
    byName[param.name] = param.value;
  }
  return issue ? { list, byName, issue } : { list, byName };
}

function decodeValue(id: number, v: Uint8Array): TransportParameter['value'] {
  const kind = KNOWN[id]?.[1] ?? 'bytes';
  switch (kind) {
    case 'int': {
      const r = readVarint(v, 0);
      return r.value >= 0 && r.length === v.length ? r.value : toHex(v);
    }
    case 'flag':
      return true;
    case 'preferred_address':
      return preferredAddress(v);
    case 'version_information': {
      const versions: string[] = [];
      for (let i = 0; i + 4 <= v.length; i += 4) versions.push(versionHex(readU32(v, i)));
      return { chosen: versions[0] ?? null, available: versions.slice(1) };
    }
    default:
      return toHex(v);
  }
}

/** RFC 9000 §18.2: IPv4 address and port, IPv6 address and port, CID, stateless reset token. */
function preferredAddress(v: Uint8Array): Record<string, unknown> | string {
  if (v.length < 4 + 2 + 16 + 2 + 1 + 16) return toHex(v);
  const v4 = `${v[0]}.${v[1]}.${v[2]}.${v[3]}`;
  const port4 = (v[4] << 8) | v[5];
  const groups: string[] = [];
  for (let i = 6; i < 22; i += 2) groups.push(((v[i] << 8) | v[i + 1]).toString(16));
  const port6 = (v[22] << 8) | v[23];
  const cidLen = v[24];
  if (25 + cidLen + 16 > v.length) return toHex(v);
  return {
    ipv4: `${v4}:${port4}`, ipv6: `[${groups.join(':')}]:${port6}`,
    connectionId: toHex(v, 25, 25 + cidLen), statelessResetToken: toHex(v, 25 + cidLen, 41 + cidLen),
  };
}
