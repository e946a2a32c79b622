// Plain-words explanations of TLS timeline events, built from the facts stored with each event when it is shown.
import type { TimelineEvent } from '../timeline';
import type {
  AlertFacts, CertificateFacts, CertificateRequestFacts, ClientHelloFacts, HandshakeCompletedFacts,
  HandshakeMessageFacts, KeysAvailableFacts, ServerHelloFacts,
} from './analyzer';
import { isTls13, versionName } from './names';

const list = (xs: string[] | undefined, max = 4) =>
  !xs || !xs.length ? '' : xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;

const versionOf = (hex: string) => versionName(parseInt(hex, 16));

export function explainTls(ev: TimelineEvent): string {
  switch (ev.kind) {
    case 'tls.client_hello': {
      const f = ev.ref as ClientHelloFacts | undefined;
      if (!f) return 'The client opens a TLS handshake.';
      const parts = [
        f.attempt > 1
          ? 'The client sends its ClientHello again, this time with what the server asked for.'
          : 'The client opens the TLS handshake with a ClientHello.',
      ];
      if (f.sni) parts.push(`It names the site it wants, ${f.sni} (SNI), in clear text: anyone on the path can read it.`);
      else parts.push('It names no server (no SNI), so the server must pick its certificate without knowing the site.');
      parts.push(`It offers ${f.versions.map(versionOf).join(', ')} and ${f.cipherSuites} cipher suites.`);
      if (f.alpn?.length) parts.push(`For the application protocol it proposes ${list(f.alpn)} (ALPN).`);
      if (f.keyShareGroups?.length) parts.push(`It already sends a key share for ${list(f.keyShareGroups)}, guessing what the server will accept.`);
      if (f.resumption) parts.push('It offers to resume an earlier session, which saves work and a round trip.');
      if (f.earlyData) parts.push('It also sends early (0-RTT) data before the handshake is done.');
      if (f.sslv2) parts.push('It uses the old SSL 2.0 record format for compatibility with very old servers.');
      if (f.ja4) parts.push(`Fingerprint JA4 ${f.ja4}${f.ja3 ? `, JA3 ${f.ja3}` : ''}.`);
      return parts.join(' ');
    }
    case 'tls.server_hello': {
      const f = ev.ref as ServerHelloFacts | undefined;
      if (!f) return 'The server answers with a ServerHello.';
      const v = parseInt(f.version, 16);
      const parts = [`The server answers: they will use ${f.versionName} with ${f.cipherName}.`];
      if (f.alpn) parts.push(`The application protocol will be ${f.alpn}.`);
      if (isTls13(v)) {
        parts.push('In TLS 1.3 the key exchange is already done with this message: from here on everything, ' +
          'including the server\'s certificate, is encrypted. The handshake takes one round trip.');
      } else if (f.resumed) {
        parts.push('The server resumes the earlier session: no certificate or key exchange, one round trip.');
      } else {
        parts.push('In TLS 1.2 the certificate and key exchange follow in clear text and the client must answer ' +
          'before either side can send data: two round trips in all.');
      }
      return parts.join(' ');
    }
    case 'tls.hello_retry_request': {
      const f = ev.ref as ServerHelloFacts | undefined;
      const group = f?.group ? ` a key share for ${f.group}` : ' different parameters';
      return `The server sends a HelloRetryRequest: none of the client's key shares suits it, so it asks for${group}. ` +
        'The client must send a new ClientHello: this costs one extra round trip before any data can flow.';
    }
    case 'tls.certificate': {
      const f = ev.ref as CertificateFacts | undefined;
      if (!f) return 'A certificate chain is sent.';
      const who = f.fromClient ? 'The client proves who it is with' : 'The server presents';
      const leaf = f.certificates[0];
      let s = `${who} a chain of ${f.count} certificate${f.count === 1 ? '' : 's'}.`;
      if (leaf) {
        s += ` The first is for ${leaf.subject || 'an unnamed subject'}`;
        if (leaf.dnsNames.length) s += ` (valid for ${list(leaf.dnsNames, 3)})`;
        s += `, issued by ${leaf.issuer || 'an unnamed issuer'}, valid from ${leaf.notBefore} to ${leaf.notAfter}.`;
      }
      return s + ' In TLS 1.2 this travels in clear text; the other side checks it against the authorities it trusts.';
    }
    case 'tls.certificate_request': {
      const f = ev.ref as CertificateRequestFacts | undefined;
      let s = 'The server asks the client to prove who it is with a certificate of its own (mutual TLS, mTLS).';
      if (f?.authorities.length) s += ` It accepts certificates issued by ${list(f.authorities, 2)}.`;
      return s;
    }
    case 'tls.handshake_message': {
      const f = ev.ref as HandshakeMessageFacts | undefined;
      switch (f?.type) {
        case 'server_key_exchange':
          return `The server sends its part of the key exchange${f.group ? ` (${f.keyExchange?.toUpperCase()} on ${f.group})` : ''}, ` +
            'signed with its certificate\'s key so the client knows it comes from the certificate\'s owner.';
        case 'server_hello_done': return 'The server has said everything for now and waits for the client.';
        case 'client_key_exchange': return 'The client sends its part of the key exchange; both sides can now compute the session keys.';
        case 'new_session_ticket': return 'The server gives the client a ticket to resume this session later without a full handshake.';
        case 'certificate_verify': return 'The sender signs the handshake so far with its certificate\'s key, proving it holds that key.';
        case 'finished': return 'Finished: a checksum over the whole handshake, proving nothing was tampered with.';
        default: return `Handshake message ${f?.type ?? ''}.`;
      }
    }
    case 'tls.change_cipher_spec':
      return 'ChangeCipherSpec: from here on this side encrypts what it sends (in TLS 1.3 it is only sent for compatibility with middleboxes).';
    case 'tls.alert': {
      const f = ev.ref as AlertFacts | undefined;
      if (!f || f.encrypted) return 'An encrypted alert: usually the polite close_notify before the connection closes.';
      if (f.description === 'close_notify') return 'close_notify: this side has nothing more to send and closes the TLS session.';
      return `A ${f.level} alert from the ${f.fromClient ? 'client' : 'server'}: ${f.description}.` +
        (f.level === 'fatal' ? ' The connection is aborted.' : '');
    }
    case 'tls.handshake_completed': {
      const f = ev.ref as HandshakeCompletedFacts | undefined;
      if (!f) return 'The TLS handshake is complete.';
      let s = `The handshake is complete: ${f.versionName}${f.cipherName ? ` with ${f.cipherName}` : ''}` +
        `${f.alpn ? `, speaking ${f.alpn}` : ''}. It took ${f.roundTrips} round trip${f.roundTrips === 1 ? '' : 's'}`;
      if (f.duration !== undefined) s += ` (${(f.duration * 1000).toFixed(1)} ms)`;
      s += '.';
      if (f.helloRetryRequests) s += ' The HelloRetryRequest added one of them.';
      if (f.resumed) s += ' The session was resumed, skipping the certificate.';
      if (f.mutualTls) s += ' Both sides proved who they are (mutual TLS).';
      return s + ' Application data now flows encrypted.';
    }
    case 'tls.keys_available': {
      const f = ev.ref as KeysAvailableFacts | undefined;
      return `The key log has secrets for this handshake (${list(f?.labels, 3)}), matched by its client random: ` +
        'its encrypted traffic can be decrypted.';
    }
    default:
      return '';
  }
}
