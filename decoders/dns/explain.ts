// Plain-words explanations of DNS timeline events, built from the facts stored with each event when it is shown.
import type { TimelineEvent } from '../timeline';
import type { DnsQueryFacts, DnsResponseFacts, DnsTimeoutFacts } from './analyzer';

const who = (proto: string) => (proto === 'mdns' ? 'mDNS' : proto === 'llmnr' ? 'LLMNR' : 'DNS');
const ms = (s: number) => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);

export function explainDns(ev: TimelineEvent): string {
  switch (ev.kind) {
    case 'dns.query': {
      const f = ev.ref as DnsQueryFacts | undefined;
      if (!f) return 'A DNS query.';
      const multicast = f.proto !== 'dns' ? ' to everyone on the local network' : '';
      let s = `${who(f.proto)} query${multicast}: what is the ${f.type} record of ${f.name}?`;
      if (f.type === 'A' || f.type === 'AAAA') s = `${who(f.proto)} query${multicast}: what is the ${f.type === 'A' ? 'IPv4' : 'IPv6'} address of ${f.name}?`;
      if (f.type === 'PTR') s = `${who(f.proto)} reverse lookup${multicast}: which name belongs to ${f.name}?`;
      if (f.transport === 'tcp') s += ' It goes over TCP (large answers or zone transfers).';
      if (f.clientSubnet) s += ` It tells the server the client's subnet (${f.clientSubnet}) to get a nearby answer.`;
      if (f.dnssecOk) s += ' It asks for DNSSEC signatures.';
      return s;
    }
    case 'dns.retransmission': {
      const f = ev.ref as DnsQueryFacts | undefined;
      return `No answer yet, so the query for ${f?.name ?? 'the name'} is sent again (attempt ${f?.attempt ?? ev.b}, ` +
        `${ms(ev.a)} after the first).`;
    }
    case 'dns.response': {
      const f = ev.ref as DnsResponseFacts | undefined;
      if (!f) return 'A DNS response.';
      const when = f.latency !== null ? ` after ${ms(f.latency)}` : '';
      const dup = f.duplicate ? ' (a second answer to a query already answered)' : '';
      if (f.rcode === 3) return `The name ${f.name} does not exist (NXDOMAIN)${when}${dup}.`;
      if (f.rcode === 2) return `The server failed to resolve ${f.name} (SERVFAIL)${when}: it could not get an answer from upstream, or DNSSEC validation failed.`;
      if (f.rcode === 5) return `The server refused to answer for ${f.name} (REFUSED)${when}.`;
      if (f.rcode !== 0) return `The server answered ${f.rcodeName} for ${f.name}${when}.`;
      let s = `Answer for ${f.name}${when}${dup}: `;
      if (f.chain.length > 1) s += `it is an alias: ${f.chain.join(' → ')}; `;
      if (f.addresses.length) s += `${f.addresses.length === 1 ? 'address' : 'addresses'} ${f.addresses.slice(0, 4).join(', ')}${f.addresses.length > 4 ? ` and ${f.addresses.length - 4} more` : ''}.`;
      else if (f.answerCount) s += `${f.answerCount} record${f.answerCount === 1 ? '' : 's'}${f.answers[0]?.data ? ` (${f.answers[0].type} ${f.answers[0].data})` : ''}.`;
      else s += 'no records of that type (the name exists).';
      if (f.truncated) s += ' The answer was truncated: the client should retry over TCP.';
      if (f.authoritative) s += ' It comes from an authoritative server.';
      if (f.attempts > 1) s += ` The query had been sent ${f.attempts} times.`;
      return s;
    }
    case 'dns.timeout': {
      const f = ev.ref as DnsTimeoutFacts | undefined;
      if (!f) return 'A DNS query got no answer.';
      return `The query for ${f.name} (${f.type}) got no answer${f.atEnd ? ' before the capture ended' : ''}: ` +
        `${f.attempts > 1 ? `sent ${f.attempts} times, ` : ''}last sent ${ms(f.waited)} earlier.`;
    }
    default:
      return '';
  }
}
