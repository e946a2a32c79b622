// A plain TCP exchange with Node's net module: handshake, a request, a reply of a few segments, and an orderly close
// (the client's FIN first). `server` answers one connection then exits; `client` makes one; `both` does both.
//   node tcp-exchange.mjs server --host 10.1.0.2 --port 8080
//   node tcp-exchange.mjs client --host 10.1.0.2 --port 8080 [--pause-ms 1500]
// --bytes sets the reply size (default 4000); --pause-ms makes the client stop reading for a while after the first
// data (with a small receive buffer the server then meets a zero window).
import net from 'node:net';
import { args, ready } from './args.mjs';

const a = args();
const mode = a._[0] ?? 'both';
const host = a.host ?? '127.0.0.1';
const REPLY_BYTES = Number(a.bytes ?? 4000);

function reply() {
  // Readable text so the sample's payload explains itself in any hex view.
  const line = 'PacketFlow sample reply: the quick brown fox jumps over the lazy dog.\n';
  return Buffer.from(line.repeat(Math.ceil(REPLY_BYTES / line.length)).slice(0, REPLY_BYTES));
}

function server(port) {
  return new Promise((resolve) => {
    const srv = net.createServer((sock) => {
      let got = '';
      sock.on('data', (d) => {
        got += d;
        if (got.includes('\n\n')) sock.write(reply());
      });
      sock.on('end', () => sock.end()); // the client closed first: close our side too
      sock.on('close', () => { srv.close(); resolve(); });
    });
    srv.listen(port, host, () => ready(srv.address().port));
  });
}

function client(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port }, () => sock.write('HELLO packetflow\nsend me the sample\n\n'));
    let n = 0;
    let paused = false;
    sock.on('data', (d) => {
      n += d.length;
      if (n >= REPLY_BYTES) sock.end();
      else if (a['pause-ms'] && !paused) {
        paused = true;
        sock.pause();
        setTimeout(() => sock.resume(), Number(a['pause-ms']));
      }
    });
    sock.on('close', () => { process.stdout.write(`received ${n}\n`); resolve(); });
    sock.on('error', reject);
  });
}

if (mode === 'server') await server(Number(a.port ?? 0));
else if (mode === 'client') await client(Number(a.port));
else {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, host, r));
  const port = srv.address().port;
  srv.close();
  const done = server(port);
  await new Promise((r) => setTimeout(r, 20));
  await client(port);
  await done;
}
