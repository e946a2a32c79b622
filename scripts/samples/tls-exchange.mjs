// A TLS 1.3 exchange with Node's tls module: the server uses an openssl self-signed certificate, the client checks
// it (as its CA), sends one request and reads the reply. The client writes its key log (SSLKEYLOGFILE format) so
// the capture can be decrypted.
//   node tls-exchange.mjs server --host H --port P --cert cert.pem --key key.pem
//   node tls-exchange.mjs client --host H --port P --ca cert.pem [--keylog keys.txt] [--servername packetflow.test]
import { appendFileSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import { args, ready } from './args.mjs';

const a = args();
const mode = a._[0];
const host = a.host ?? '127.0.0.1';
const servername = a.servername ?? 'packetflow.test';

if (mode === 'server') {
  const srv = tls.createServer({
    cert: readFileSync(a.cert), key: readFileSync(a.key), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3',
  }, (sock) => {
    sock.on('data', (d) => {
      if (String(d).includes('\n\n')) sock.end('HTTP/1.0 200 OK\ncontent-type: text/plain\n\nhello from the PacketFlow TLS sample\n');
    });
    sock.on('close', () => srv.close());
    sock.on('error', () => srv.close());
  });
  srv.listen(Number(a.port ?? 0), host, () => ready(srv.address().port));
} else if (mode === 'client') {
  let protocol = '';
  const sock = tls.connect({
    host, port: Number(a.port), servername, ca: readFileSync(a.ca), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3',
  }, () => {
    protocol = sock.getProtocol();
    sock.write(`GET /sample HTTP/1.0\nhost: ${servername}\n\n`);
  });
  if (a.keylog) sock.on('keylog', (line) => appendFileSync(a.keylog, line));
  let body = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => { body += d; });
  sock.on('end', () => sock.end());
  sock.on('close', () => process.stdout.write(`received ${body.length} ${protocol}\n`));
  sock.on('error', (e) => { process.stderr.write(`tls client: ${e.message}\n`); process.exitCode = 1; });
} else {
  process.stderr.write('usage: tls-exchange.mjs server|client ...\n');
  process.exitCode = 2;
}
