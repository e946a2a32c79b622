// TLS 1.3 handshake messages as Wireshark dissects them: ClientHello with SNI/ALPN/supported_versions/key_share,
// ServerHello, and record framing. Key shares and randoms are random bytes: nothing is ever decrypted.
import { ByteWriter } from './byte-writer';
import type { Prng } from './prng';

export const CONTENT_CCS = 20;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPDATA = 23;

export interface ClientHelloOptions {
  sni: string;
  alpn: string[];
  /** QUIC: empty legacy session id and a quic_transport_parameters extension with the client's source CID. */
  quicScid?: Uint8Array;
}

const ext = (w: ByteWriter, type: number, body: (w: ByteWriter) => void) => w.u16(type).block(2, body);

/** A ClientHello handshake message (type 1 + 24-bit length + body), without record header. */
export function clientHello(rng: Prng, o: ClientHelloOptions): Uint8Array {
  const quic = o.quicScid !== undefined;
  const w = new ByteWriter();
  w.u8(1).block(3, (w) => {
    w.u16(0x0303).bytes(rng.bytes(32));
    w.block(1, (w) => { if (!quic) w.bytes(rng.bytes(32)); });
    const suites = quic ? [0x1301, 0x1302, 0x1303]
      : [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
    w.block(2, (w) => { for (const s of suites) w.u16(s); });
    w.block(1, (w) => w.u8(0)); // compression: null
    w.block(2, (w) => {
      ext(w, 0, (w) => w.block(2, (w) => w.u8(0).block(2, (w) => w.ascii(o.sni)))); // server_name
      if (!quic) ext(w, 23, () => {}); // extended_master_secret
      if (!quic) ext(w, 0xff01, (w) => w.u8(0)); // renegotiation_info
      ext(w, 10, (w) => w.block(2, (w) => { for (const g of [0x001d, 0x0017, 0x0018]) w.u16(g); })); // supported_groups
      if (!quic) ext(w, 11, (w) => w.block(1, (w) => w.u8(0))); // ec_point_formats
      ext(w, 16, (w) => w.block(2, (w) => { for (const p of o.alpn) w.block(1, (w) => w.ascii(p)); })); // ALPN
      ext(w, 13, (w) => w.block(2, (w) => { // signature_algorithms
        for (const a of [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]) w.u16(a);
      }));
      ext(w, 51, (w) => w.block(2, (w) => w.u16(0x001d).block(2, (w) => w.bytes(rng.bytes(32))))); // key_share
      ext(w, 45, (w) => w.block(1, (w) => w.u8(1))); // psk_key_exchange_modes: psk_dhe_ke
      ext(w, 43, (w) => w.block(1, (w) => { w.u16(0x0304); if (!quic) w.u16(0x0303); })); // supported_versions
      if (quic) ext(w, 0x39, (w) => quicTransportParameters(w, o.quicScid!));
    });
  });
  return w.finish();
}

function quicTransportParameters(w: ByteWriter, scid: Uint8Array): void {
  const p = (id: number, v: number) => { w.varint(id); const n = new ByteWriter().varint(v).finish(); w.varint(n.length).bytes(n); };
  p(0x01, 30000); // max_idle_timeout
  p(0x03, 1472); // max_udp_payload_size
  p(0x04, 15728640); // initial_max_data
  p(0x05, 6291456); // initial_max_stream_data_bidi_local
  p(0x06, 6291456); // initial_max_stream_data_bidi_remote
  p(0x07, 6291456); // initial_max_stream_data_uni
  p(0x08, 100); // initial_max_streams_bidi
  p(0x09, 103); // initial_max_streams_uni
  w.varint(0x0f).varint(scid.length).bytes(scid); // initial_source_connection_id
}

/** A TLS 1.3 ServerHello (type 2) selecting TLS_AES_128_GCM_SHA256 and x25519. */
export function serverHello(rng: Prng, sessionId: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.u8(2).block(3, (w) => {
    w.u16(0x0303).bytes(rng.bytes(32));
    w.block(1, (w) => w.bytes(sessionId));
    w.u16(0x1301).u8(0);
    w.block(2, (w) => {
      ext(w, 43, (w) => w.u16(0x0304));
      ext(w, 51, (w) => w.u16(0x001d).block(2, (w) => w.bytes(rng.bytes(32))));
    });
  });
  return w.finish();
}

/** The legacy session id a ClientHello carried (to echo it in the ServerHello). */
export function clientHelloSessionId(ch: Uint8Array): Uint8Array {
  // type(1) len(3) version(2) random(32) sid_len(1)
  return ch.slice(39, 39 + ch[38]);
}

/** A record header: content type, legacy version 0x0303 (0x0301 for a first ClientHello), length. */
export function recordHeader(type: number, length: number, version = 0x0303): Uint8Array {
  return new Uint8Array([type, version >> 8, version & 0xff, length >> 8, length & 0xff]);
}

export function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const r = new Uint8Array(5 + body.length);
  r.set(recordHeader(type, body.length, version));
  r.set(body, 5);
  return r;
}
