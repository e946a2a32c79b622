// One QUIC connection as seen on the wire: its connection IDs (both sides), the Initial keys (re-derived after a
// Retry and per version for compatible version negotiation), packet-number spaces, CRYPTO streams and the facts the
// explanation needs (round trips spent on Retry, Version Negotiation, HelloRetryRequest).
import type { Conversation } from '../model';
import { initialKeys, releaseKeys, type InitialKeys } from './crypto';
import { CryptoStream } from './crypto-stream';
import type { TransportParameters } from './transport-params';
import { toHex } from './varint';

/** Packet-number spaces (RFC 9000 §12.3). */
export const Space = { INITIAL: 0, HANDSHAKE: 1, APP: 2 } as const;

export class QuicConnection {
  /** Client's first Destination Connection ID of the current attempt: the Initial keys come from it. */
  originalDcid: Uint8Array;
  /** The client's DCID before a Retry (the Retry integrity tag is computed over it). */
  preRetryDcid: Uint8Array | null = null;
  /** First CIDs each side chose (tshark's short-header DCID length comes from these). */
  clientCid: Uint8Array | null = null;
  serverCid: Uint8Array | null = null;
  /** Every CID seen per side, hex (for display and lookups). */
  readonly clientCids = new Set<string>();
  readonly serverCids = new Set<string>();
  /** Current endpoints (change on migration). */
  clientAddr: string;
  clientPort: number;
  serverAddr: string;
  serverPort: number;
  /** Version of the client's first Initial, and the one the server answered with (compatible negotiation). */
  version: number;
  negotiatedVersion = 0;
  private readonly keyCache = new Map<number, InitialKeys | null>();
  /** Largest packet number per [direction][space]. */
  readonly largestPn: number[][] = [[-1, -1, -1], [-1, -1, -1]];
  /** CRYPTO streams per [direction] at the Initial level (the only one readable without a key log). */
  readonly crypto: [CryptoStream, CryptoStream] = [new CryptoStream(), new CryptoStream()];
  retryPending = false;
  retries = 0;
  versionNegotiations = 0;
  helloRetryRequests = 0;
  migrations = 0;
  zeroRtt = false;
  sni?: string;
  alpn?: string[];
  serverAlpn?: string[];
  clientParams?: TransportParameters;
  tlsVersion?: number;
  cipherSuite?: number;
  /** Timing facts (seconds relative to the capture start). */
  firstClientTime = -1;
  firstServerTime = -1;
  handshakeDoneFrame = 0;
  /** First 1-RTT / 0-RTT packet seen per direction (the first gets a detailed timeline entry). */
  readonly seen1rtt = [false, false];
  readonly seen0rtt = [false, false];
  /** Client sent at least one Handshake packet (its Finished travels in one). */
  clientHandshakeSeen = false;
  closed = false;
  /** The first packet of this connection seemed to come from the server (capture started mid-handshake). */
  partial = false;
  /** Position in the analyzer's connection list (its 4-tuple lookups point here). */
  serial = -1;
  /**
   * Last short-header DCID per direction, as bytes and hex (most packets repeat it: no string per packet), and its id
   * in the analyzer's packet log (-1 until the analyzer sets it; reset when the DCID changes).
   */
  private readonly dcidBytes: [Uint8Array | null, Uint8Array | null] = [null, null];
  private readonly dcidText: [string, string] = ['', ''];
  readonly dcidLogId: [number, number] = [-1, -1];

  constructor(readonly conv: Conversation, originalDcid: Uint8Array, version: number, client: [string, number],
    server: [string, number]) {
    this.originalDcid = originalDcid.slice();
    this.version = version;
    [this.clientAddr, this.clientPort] = client;
    [this.serverAddr, this.serverPort] = server;
  }

  /** Initial keys for packets of `version` (RFC 9368: after compatible negotiation both versions' keys are needed). */
  keys(version: number): InitialKeys | null {
    let k = this.keyCache.get(version);
    if (k === undefined) {
      k = initialKeys(version, this.originalDcid);
      if (this.keyCache.size >= 8) this.clearKeys(); // a flood of made-up versions must not grow it
      this.keyCache.set(version, k);
    }
    return k;
  }

  /** A new cryptographic attempt (after a Retry or Version Negotiation): keys come from a new DCID. */
  restartKeys(dcid: Uint8Array): void {
    this.originalDcid = dcid.slice();
    this.clearKeys();
  }

  /** Fresh packet-number spaces and CRYPTO streams (a new ClientHello after Version Negotiation). */
  resetHandshake(): void {
    for (const d of this.largestPn) d.fill(-1);
    this.crypto[0].release();
    this.crypto[1].release();
    this.crypto[0] = new CryptoStream();
    this.crypto[1] = new CryptoStream();
  }

  /** Forgets the derived keys (and their AES tables); keys() derives them again when needed. */
  dropKeys(): void {
    this.clearKeys();
  }

  private clearKeys(): void {
    for (const k of this.keyCache.values()) {
      if (k) { releaseKeys(k.client); releaseKeys(k.server); }
    }
    this.keyCache.clear();
  }

  heldBytes(): number {
    return this.crypto[0].heldBytes + this.crypto[1].heldBytes;
  }

  release(): void {
    this.crypto[0].release();
    this.crypto[1].release();
    this.clearKeys();
  }

  /** Hex of b[start..end), the DCID of a short-header packet in direction `dir`. */
  dcidHex(dir: 0 | 1, b: Uint8Array, start: number, end: number): string {
    const last = this.dcidBytes[dir];
    if (last !== null && last.length === end - start) {
      let same = true;
      for (let i = 0; i < last.length; i++) if (last[i] !== b[start + i]) { same = false; break; }
      if (same) return this.dcidText[dir];
    }
    this.dcidBytes[dir] = b.slice(start, end);
    this.dcidLogId[dir] = -1;
    return (this.dcidText[dir] = toHex(b, start, end));
  }

  isServer(addr: string, port: number): boolean {
    return addr === this.serverAddr && port === this.serverPort;
  }
}
