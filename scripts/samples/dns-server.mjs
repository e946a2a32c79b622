// A small authoritative DNS server over UDP (Node's dgram) for the zone packetflow.test:
//   www.packetflow.test    A 192.0.2.10, AAAA 2001:db8::10
//   alias.packetflow.test  CNAME www.packetflow.test (the target's records follow in the answer)
//   anything else          NXDOMAIN, with the zone's SOA in the authority section
//   node dns-server.mjs --host 127.0.0.1 --port 5353 [--count N]   (exits after answering N queries)
import dgram from 'node:dgram';
import { args, ready } from './args.mjs';

const a = args();
const ZONE = 'packetflow.test';
const RECORDS = {
  'www.packetflow.test': { A: ['192.0.2.10'], AAAA: ['2001:db8::10'] },
  'alias.packetflow.test': { CNAME: 'www.packetflow.test' },
};
const TYPE = { A: 1, CNAME: 5, SOA: 6, AAAA: 28 };

function readName(msg, at) {
  const labels = [];
  for (;;) {
    const len = msg[at++];
    if (len === 0) break;
    labels.push(msg.toString('ascii', at, at + len));
    at += len;
  }
  return { name: labels.join('.').toLowerCase(), end: at };
}

function encodeName(name) {
  const parts = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function rr(name, type, ttl, rdata) {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2); // class IN
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), head, rdata]);
}

function ipv6(addr) {
  const [head, tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function answer(query) {
  const id = query.readUInt16BE(0);
  const rd = query[2] & 1;
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const answers = [];
  let rcode = 0;
  let authority = [];
  let owner = name;
  const rec = () => RECORDS[owner];
  if (rec()?.CNAME && qtype !== TYPE.CNAME) {
    answers.push(rr(owner, TYPE.CNAME, 300, encodeName(rec().CNAME)));
    owner = rec().CNAME;
  }
  if (!rec()) {
    rcode = 3;
    const soa = Buffer.concat([encodeName(`ns.${ZONE}`), encodeName(`hostmaster.${ZONE}`), Buffer.from([
      0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x03, 0x84, 0, 0x09, 0x3a, 0x80, 0, 0, 0x01, 0x2c])]);
    authority = [rr(ZONE, TYPE.SOA, 300, soa)];
  } else if (qtype === TYPE.A) {
    for (const ip of rec().A ?? []) answers.push(rr(owner, TYPE.A, 300, Buffer.from(ip.split('.').map(Number))));
  } else if (qtype === TYPE.AAAA) {
    for (const ip of rec().AAAA ?? []) answers.push(rr(owner, TYPE.AAAA, 300, ipv6(ip)));
  } else if (qtype === TYPE.CNAME && rec().CNAME) {
    answers.push(rr(owner, TYPE.CNAME, 300, encodeName(rec().CNAME)));
  }
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head[2] = 0x84 | rd; // QR, AA, RD copied
  head[3] = 0x80 | rcode; // RA
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answers.length, 6);
  head.writeUInt16BE(authority.length, 8);
  return Buffer.concat([head, question, ...answers, ...authority]);
}

const sock = dgram.createSocket(a.host?.includes(':') ? 'udp6' : 'udp4');
let left = Number(a.count ?? Infinity);
sock.on('message', (msg, from) => {
  try {
    sock.send(answer(msg), from.port, from.address);
  } catch (e) {
    process.stderr.write(`dns-server: bad query from ${from.address}: ${e.message}\n`);
  }
  if (--left <= 0) setTimeout(() => sock.close(), 50);
});
sock.bind(Number(a.port ?? 0), a.host ?? '127.0.0.1', () => ready(sock.address().port));
