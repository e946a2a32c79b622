// DNS lookups with Node's own resolver (c-ares) against one server, one after the other; prints the results as JSON.
//   node dns-client.mjs --server 127.0.0.1:5353
import { Resolver } from 'node:dns/promises';
import { args } from './args.mjs';

const a = args();
const r = new Resolver({ timeout: 2000, tries: 2 });
r.setServers([a.server ?? '127.0.0.1:53']);
const lookups = [
  ['www.packetflow.test', 'A'],
  ['www.packetflow.test', 'AAAA'],
  ['alias.packetflow.test', 'A'],
  ['missing.packetflow.test', 'A'],
];
const results = [];
for (const [name, type] of lookups) {
  try {
    results.push({ name, type, answers: await r.resolve(name, type) });
  } catch (e) {
    results.push({ name, type, error: e.code });
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
