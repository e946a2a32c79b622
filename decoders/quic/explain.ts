// Plain-words explanations of QUIC timeline events, built from the facts stored with each event (never stored as
// text). Numeric facts per kind: quic.initial/handshake/retry/version_negotiation/0rtt/1rtt: a = packet number
// (-1 when protected), b = packet length in bytes; quic.connection_close: a = error code, b = 1 for an application
// error; quic.handshake_completed: a = round trips before the client could send application data, b = seconds
// from the client's first Initial.
import type { TimelineEvent } from '../timeline';
import { frameTypeName } from './frames';
import { quicVersion } from './versions';
import type { QuicHandshakeRef, QuicPacketRef } from './analyzer';

const ms = (s: number) => (s < 0.001 ? `${(s * 1e6).toFixed(0)} µs` : `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`);
const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;
const short = (cid: string | undefined) => (!cid ? 'empty' : cid.length > 16 ? cid.slice(0, 16) + '…' : cid);

function who(e: TimelineEvent): string {
  return e.dir === 1 ? 'The server' : 'The client';
}

function versionText(name: string | undefined): string {
  if (!name) return 'QUIC';
  if (/^\d+$/.test(name)) return `QUIC v${name}`;
  return name.startsWith('GREASE') ? 'a reserved version' : name.startsWith('unknown') ? `QUIC version ${name.slice(9, -1)}` : `QUIC ${name}`;
}
const version = (r: QuicPacketRef) => versionText(r.versionName);
/** "0x00000001" -> "QUIC v1" */
const versionOfHex = (h: string) => versionText(quicVersion(parseInt(h, 16)).name).replace('a reserved version', `${h} (GREASE)`);

function framesText(types: number[] | undefined): string {
  if (!types?.length) return '';
  const names: string[] = [];
  for (const t of types) {
    const n = frameTypeName(t);
    if (names[names.length - 1] !== n) names.push(n);
  }
  return names.join(', ');
}

function initialText(e: TimelineEvent, r: QuicPacketRef): string {
  const parts: string[] = [];
  const client = e.dir !== 1;
  parts.push(`${who(e)} sends an Initial packet (${version(r)}${r.packetNumber !== undefined ? `, packet ${r.packetNumber}` : ''}, ${r.length} bytes).`);
  if (r.forcingVersionNegotiation) {
    parts.push(`Its version ${r.version} is a reserved "GREASE" value: the client uses it on purpose to make the server answer with the versions it supports.`);
  }
  if (r.tls?.includes('client_hello')) {
    parts.push(`Its CRYPTO data completes the TLS ClientHello${r.sni ? ` for ${r.sni}` : ''}${r.alpn?.length ? ` offering ${r.alpn.join(', ')}` : ''}: in QUIC the TLS handshake starts in the very first packet, there is no separate transport handshake before it.`);
  } else if (r.tls?.includes('hello_retry_request')) {
    parts.push('It carries a TLS HelloRetryRequest: the server wants a key share for another group, so the client must send a second ClientHello. That costs one more round trip.');
  } else if (r.tls?.includes('server_hello')) {
    parts.push(`It carries the TLS ServerHello${r.cipherSuite ? ` (${r.cipherSuite})` : ''}: from here both sides derive handshake keys, and the rest of the server's handshake (certificate, Finished) travels in Handshake packets.`);
  } else if (r.crypto?.length && r.cryptoRepeated) {
    parts.push(client && r.tokenLength
      ? 'It sends the ClientHello again (the same CRYPTO data), now together with the server\'s token.'
      : `It repeats CRYPTO data sent before (a retransmission of the ${client ? 'ClientHello' : 'ServerHello'}).`);
  } else if (r.crypto?.length) {
    parts.push(`It carries part of the ${client ? 'ClientHello' : 'ServerHello'} (CRYPTO data at offset ${r.crypto[0][0]}); the message completes in a later packet, or this is a retransmission.`);
  }
  if (r.acked?.length) parts.push(`It acknowledges ${r.acked.map(([a, b]) => (a === b ? `packet ${a}` : `packets ${a}–${b}`)).join(', ')}.`);
  if (r.decrypted) {
    parts.push(`Initial packets are protected with keys anyone can compute from the client's first destination connection ID, which is why they can be read here (frames: ${framesText(r.frameTypes)}). That protection hides nothing from an observer; it only stops attackers who cannot see the traffic from forging packets.`);
  } else {
    parts.push('Its payload could not be decrypted with the Initial keys derived from the connection ID (a different version, a missed first packet, or damaged bytes).');
  }
  if (client && r.tokenLength) parts.push(`It returns a ${r.tokenLength}-byte token the server gave earlier (after a Retry or from a previous connection), proving the client's address.`);
  if (client && r.length >= 1200 && r.tls?.includes('client_hello')) {
    parts.push('Client Initials are padded to at least 1200 bytes, so that a server never sends more than three times what it received before the client\'s address is confirmed (anti-amplification).');
  }
  return parts.join(' ');
}

function packetText(e: TimelineEvent, r: QuicPacketRef): string {
  switch (r.packetType) {
    case 'initial':
      return initialText(e, r);
    case 'handshake':
      return `${who(e)} sends a Handshake packet (${r.length} bytes). It continues the TLS handshake (${e.dir === 1 ? 'EncryptedExtensions, certificate, CertificateVerify, Finished' : 'the client\'s Finished'}) under handshake keys that only the two endpoints can compute; without a key log it stays protected.`;
    case 'retry':
      return `The server answers with a Retry instead of a handshake: it gives the client a ${r.retry?.tokenLength ?? 0}-byte token and a new connection ID (${short(r.retry?.newCid)}), and waits for the client to send its Initial again with that token. This proves the client's address before the server spends effort on it, at the cost of one extra round trip.${r.retry?.integrity === 'valid' ? ' Its integrity tag is valid for the client\'s original connection ID.' : r.retry?.integrity === 'invalid' ? ' Its integrity tag does not match the client\'s original connection ID: a client would drop it.' : ''}`;
    case 'version_negotiation':
      return `The server does not speak the version the client proposed and lists the ones it does${r.versions?.length ? ` (${r.versions.map(versionOfHex).join(', ')})` : ''}. The client has to start again in one of them: one extra round trip.`;
    case '0rtt':
      return `${who(e)} sends 0-RTT data (${r.length} bytes) before the handshake has finished, with keys from a previous session. This saves a round trip for the first request, but such data can be replayed by an attacker, so only safe requests should use it.`;
    case '1rtt':
      return `${who(e)} sends a 1-RTT (short header) packet of ${r.length} bytes: application data (for example HTTP/3) under the final keys. ${r.dcid ? `Only the destination connection ID (${short(r.dcid)}) is visible` : 'Not even a connection ID is visible (this side asked for none)'}; the packet number is hidden too.${r.migratedFrom ? ` It comes from a new address/port (was ${r.migratedFrom}): the connection ID lets QUIC keep the connection across the change.` : ''}`;
  }
}

function handshakeCost(r: QuicHandshakeRef): string {
  const parts: string[] = [];
  const rtt = r.rtt !== null ? ` (one round trip here is about ${ms(r.rtt)})` : '';
  parts.push(`Handshake complete after ${plural(r.roundTrips, 'round trip')}${rtt}, ${ms(r.seconds)} after the client's first packet.`);
  parts.push(`${versionText(r.version)} folds the transport and the TLS 1.3 setup into one round trip: the ClientHello rides in the first packet. Over TCP the same takes TCP's handshake (1 round trip) plus TLS 1.3's (1 more) — 2 round trips before the first request, 3 with TLS 1.2.`);
  if (r.retries) parts.push(`The server's Retry cost ${plural(r.retries, 'extra round trip')}.`);
  if (r.versionNegotiations) parts.push(`Version negotiation cost ${plural(r.versionNegotiations, 'extra round trip')}.`);
  if (r.helloRetryRequests) parts.push(`The TLS HelloRetryRequest cost ${plural(r.helloRetryRequests, 'extra round trip')}.`);
  if (r.zeroRtt) parts.push('The client also sent 0-RTT data, so its first request did not wait for the handshake at all.');
  return parts.join(' ');
}

function closeText(e: TimelineEvent, r: { error: number; name: string; reason: string; application: boolean }): string {
  return `${who(e)} closes the connection with CONNECTION_CLOSE: ${r.application ? 'application' : 'transport'} error ${r.name}${r.reason ? ` ("${r.reason}")` : ''}. No more packets are expected on this connection.`;
}

/** An explanation for a QUIC event, or null when the event is not a QUIC one. */
export function explainQuicEvent(e: TimelineEvent): string | null {
  if (!e.kind.startsWith('quic.')) return null;
  if (e.kind === 'quic.handshake_completed') {
    const r = e.ref as QuicHandshakeRef | undefined;
    return r ? handshakeCost(r) : `Handshake complete after ${plural(e.a, 'round trip')}.`;
  }
  if (e.kind === 'quic.connection_close') {
    const r = e.ref as { error: number; name: string; reason: string; application: boolean } | undefined;
    return r ? closeText(e, r) : `${who(e)} closes the connection (error ${e.a}).`;
  }
  const r = e.ref as QuicPacketRef | undefined;
  if (r) return packetText(e, r);
  // packets without a ref: later 1-RTT / 0-RTT packets of a direction (only their size is stored)
  const what = e.kind === 'quic.0rtt' ? '0-RTT data' : e.kind === 'quic.1rtt' ? 'a 1-RTT (short header) packet'
    : e.kind.slice(5);
  return `${who(e)} sends ${what} of ${e.b} bytes, protected with keys only the endpoints have.`;
}

/** The handshake cost summary alone (for a conversation's detail panel). */
export function explainQuicHandshakeCost(r: QuicHandshakeRef): string {
  return handshakeCost(r);
}
