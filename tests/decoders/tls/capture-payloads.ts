// Transport payloads of a real capture (read at test time from ../shared, never copied into the repo), for fuzzing
// and for tests that need real bytes: the project's own reader and wire decoder do the extraction.
import { join } from 'node:path';
import { readCaptureFileSync } from '../../../capture/node-file-source';
import { decodePacket } from '../../../decoders/decode';
import { sharedCaptures } from '../../support/require';

export interface Payload {
  frame: number;
  proto: 'tcp' | 'udp';
  srcPort: number;
  dstPort: number;
  bytes: Uint8Array;
}

export function capturePayloads(file: string): Payload[] {
  const out: Payload[] = [];
  readCaptureFileSync(join(sharedCaptures, file), (frames) => {
    for (const f of frames) {
      const p = decodePacket(f);
      const t = p.tcp ?? p.udp;
      if (!t || p.payloadEnd <= p.payloadStart) continue;
      out.push({ frame: f.index, proto: p.tcp ? 'tcp' : 'udp', srcPort: t.srcPort, dstPort: t.dstPort,
        bytes: p.payloadBytes.slice(p.payloadStart, p.payloadEnd) });
    }
  });
  return out;
}
