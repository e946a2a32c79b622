// Puts a TLS key log into a pcapng file as a Decryption Secrets Block, right after the interface blocks (before the
// packets it decrypts), so Wireshark and PacketFlow decrypt the sample without a separate key file.
//   node inject-secrets.mjs capture.pcapng keys.txt
// (Like `editcap --inject-secrets tls,keys.txt`; done here so only Node is needed. Little-endian sections only,
// which is what PacketFlow writes.)
import { readFileSync, writeFileSync } from 'node:fs';

const [file, keys] = process.argv.slice(2);
const pcap = readFileSync(file);
const secrets = readFileSync(keys);
const BT_IDB = 1, BT_SHB = 0x0a0d0d0a, BT_DSB = 0x0a, TLS_KEY_LOG = 0x544c534b;
if (pcap.readUInt32LE(0) !== BT_SHB || pcap.readUInt32LE(8) !== 0x1a2b3c4d) throw new Error(`${file}: not a little-endian pcapng`);

// Find the end of the header blocks: the section header and the interface descriptions that follow it.
let at = 0;
while (at < pcap.length) {
  const type = pcap.readUInt32LE(at);
  if (type !== BT_SHB && type !== BT_IDB) break;
  at += pcap.readUInt32LE(at + 4);
}
const padded = (secrets.length + 3) & ~3;
const dsb = Buffer.alloc(12 + 8 + padded);
dsb.writeUInt32LE(BT_DSB, 0);
dsb.writeUInt32LE(dsb.length, 4);
dsb.writeUInt32LE(TLS_KEY_LOG, 8);
dsb.writeUInt32LE(secrets.length, 12);
secrets.copy(dsb, 16);
dsb.writeUInt32LE(dsb.length, dsb.length - 4);
writeFileSync(file, Buffer.concat([pcap.subarray(0, at), dsb, pcap.subarray(at)]));
process.stdout.write(`${file}: ${secrets.toString().split('\n').filter(Boolean).length} key log lines inserted at byte ${at}\n`);
