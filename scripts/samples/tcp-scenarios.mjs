// Real TCP traffic with Node's net module for tests/live/real-traffic-analysis.test.ts: a bulk upload, a slow
// reader, and a handful of connection endings (refused, aborted, half-closed, a source port used twice).
//   node tcp-scenarios.mjs server --host 10.1.2.2 --port 5001 [--count 1] [--pause-ms 1000]
//     Serves --count connections, then exits. Each connection starts with one line "SEND n\n": the server answers n
//     bytes, reads (and counts) whatever follows, and closes its side after the client's FIN (half-open allowed, so
//     a client that closed first still gets everything). --pause-ms stops reading for that long after the first
//     data, then drains: with a small net.ipv4.tcp_rmem in the server's namespace the sender meets a zero window.
//   node tcp-scenarios.mjs bulk --host 10.1.2.2 --port 5001 --bytes 3000000
//     Sends --bytes bytes, closes (FIN), waits for the server's FIN.
//   node tcp-scenarios.mjs endings --host 10.1.2.2 --port 5001 --closed-port 5009 --local-port 41000
//     In order: two connections refused by a port nobody listens on (both from --local-port + 1); an abort (RST)
//     while the server is still sending; a half-close (our FIN first, then 200 KB still received); and a source
//     port (--local-port) used twice: first connection ended with RST (no TIME_WAIT), then a new one from the same
//     port closed normally. The server must be started with --count 4.
import net from 'node:net';
import { args, ready } from './args.mjs';

const a = args();
const mode = a._[0];
const host = a.host ?? '127.0.0.1';
const port = Number(a.port ?? 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function payload(n) {
  const line = 'PacketFlow real traffic: the quick brown fox jumps over the lazy dog.\n';
  return Buffer.from(line.repeat(Math.ceil(n / line.length) || 1).slice(0, n));
}

function server() {
  const count = Number(a.count ?? 1);
  const pauseMs = Number(a['pause-ms'] ?? 0);
  let closed = 0;
  const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
    let header = '';
    let headerDone = false;
    let paused = false;
    let received = 0;
    sock.on('data', (d) => {
      if (!headerDone) {
        const s = d.toString('latin1');
        const nl = s.indexOf('\n');
        if (nl < 0) { header += s; return; }
        header += s.slice(0, nl);
        headerDone = true;
        received += d.length - nl - 1;
        const m = /^SEND (\d+)/.exec(header);
        if (m && Number(m[1]) > 0) sock.write(payload(Number(m[1])));
      } else {
        received += d.length;
      }
      if (pauseMs && !paused) {
        paused = true;
        sock.pause();
        setTimeout(() => sock.resume(), pauseMs);
      }
    });
    sock.on('end', () => sock.end());
    sock.on('error', () => undefined); // the aborts are on purpose
    sock.on('close', () => {
      process.stdout.write(`connection closed after ${received} bytes\n`);
      if (++closed === count) srv.close();
    });
  });
  srv.listen(port, host, () => ready(srv.address().port));
}

/** One connection: sends `line` (and `body`), then lets `onData` decide; resolves with what happened. */
function connect(opts, start) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, ...opts });
    let received = 0;
    let error = null;
    sock.on('connect', () => start(sock));
    sock.on('data', (d) => { received += d.length; sock.emit('progress', received); });
    sock.on('error', (e) => { error = e.code ?? String(e); });
    sock.on('close', () => resolve({ received, error }));
  });
}

async function bulk() {
  const n = Number(a.bytes ?? 3_000_000);
  const r = await connect({}, (sock) => {
    sock.write('SEND 0\n');
    sock.end(payload(n));
  });
  if (r.error) throw new Error(`bulk: ${r.error}`);
  process.stdout.write(`sent ${n}\n`);
}

async function endings() {
  const closedPort = Number(a['closed-port']);
  const localPort = Number(a['local-port']);
  const results = [];
  const check = (what, cond, r) => {
    results.push(`${what}: received ${r.received}${r.error ? `, ${r.error}` : ''}`);
    if (!cond) throw new Error(`${what} went wrong: ${JSON.stringify(r)}`);
  };
  // Refused twice from the same source port: SYN → RST/ACK, then a new SYN (new sequence number) on the same ports.
  for (let i = 0; i < 2; i++) {
    const r = await new Promise((resolve) => {
      const sock = net.connect({ host, port: closedPort, localPort: localPort + 1 });
      sock.on('error', (e) => resolve({ received: 0, error: e.code }));
      sock.on('connect', () => { sock.destroy(); resolve({ received: 0, error: 'connected' }); });
    });
    check('refused', r.error === 'ECONNREFUSED', r);
    await sleep(30);
  }
  // Abort while the server is still sending: RST from us (and more for the segments already on their way).
  let r = await connect({}, (sock) => {
    sock.write('SEND 300000\n');
    sock.on('progress', (n) => { if (n >= 20_000 && !sock.destroyed) sock.resetAndDestroy(); });
  });
  check('abort', r.received >= 20_000 && r.received < 300_000, r);
  await sleep(100);
  // Half-close: our FIN right after the request, then the whole answer still comes in; the server closes last.
  r = await connect({ allowHalfOpen: true }, (sock) => {
    sock.end('SEND 200000\n');
    sock.on('end', () => sock.destroy());
  });
  check('half-close', r.received === 200_000 && !r.error, r);
  await sleep(50);
  // The same source port twice: an exchange ended with our RST (so no TIME_WAIT holds the port), then a new
  // connection from that port, closed normally.
  r = await connect({ localPort }, (sock) => {
    sock.write('SEND 3000\n');
    sock.on('progress', (n) => { if (n >= 3000) setTimeout(() => sock.resetAndDestroy(), 20); });
  });
  check('reuse 1', r.received === 3000, r);
  await sleep(50);
  r = await connect({ localPort }, (sock) => {
    sock.end('SEND 3000\n');
  });
  check('reuse 2', r.received === 3000 && !r.error, r);
  process.stdout.write(results.join('\n') + '\n');
}

if (mode === 'server') server();
else if (mode === 'bulk') await bulk();
else if (mode === 'endings') await endings();
else {
  process.stderr.write('usage: tcp-scenarios.mjs server|bulk|endings [--host H] [--port P] ...\n');
  process.exit(2);
}
