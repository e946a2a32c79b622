// SSLKEYLOGFILE (NSS key log format): "<LABEL> <client_random hex> <secret hex>" per line, '#' comments.
// Lines come from a pcapng Decryption Secrets Block or a user's file; they are matched to handshakes by the
// ClientHello random. Decryption itself is a later step: here we only know which handshakes have keys.

export const KEYLOG_LABELS = [
  'CLIENT_RANDOM', 'CLIENT_EARLY_TRAFFIC_SECRET', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EARLY_EXPORTER_SECRET', 'EXPORTER_SECRET',
  'ECH_SECRET', 'ECH_CONFIG',
] as const;

export interface KeyLogLine {
  label: string;
  /** Lowercase hex: the 32-byte client random (or for label RSA the first 8 bytes of the encrypted premaster). */
  clientRandom: string;
  secret: string;
  /** 1-based line number in the text it came from. */
  line: number;
}

export interface KeyLogParse {
  lines: KeyLogLine[];
  /** Lines that are neither comments, blank, nor well-formed entries. */
  rejected: { line: number; reason: string }[];
}

const HEX = /^[0-9a-fA-F]+$/;

export function parseKeyLog(text: string): KeyLogParse {
  const out: KeyLogParse = { lines: [], rejected: [] };
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (!row || row.startsWith('#')) continue;
    const parts = row.split(/\s+/);
    if (parts.length !== 3) { out.rejected.push({ line: i + 1, reason: 'expected LABEL RANDOM SECRET' }); continue; }
    const [label, random, secret] = parts;
    if (!HEX.test(random) || !HEX.test(secret)) { out.rejected.push({ line: i + 1, reason: 'not hex' }); continue; }
    if (label === 'RSA' ? random.length !== 16 : random.length !== 64) {
      out.rejected.push({ line: i + 1, reason: `${label}: identifier of ${random.length / 2} bytes` });
      continue;
    }
    out.lines.push({ label, clientRandom: random.toLowerCase(), secret: secret.toLowerCase(), line: i + 1 });
  }
  return out;
}

/** Key log entries by client random. */
export class KeyLog {
  private readonly byRandom = new Map<string, Map<string, string>>();
  rejectedLines = 0;

  /** Adds every entry of a key log text; returns the client randoms that got new entries. */
  load(text: string): string[] {
    const parsed = parseKeyLog(text);
    this.rejectedLines += parsed.rejected.length;
    const touched = new Set<string>();
    for (const l of parsed.lines) {
      let m = this.byRandom.get(l.clientRandom);
      if (!m) { m = new Map(); this.byRandom.set(l.clientRandom, m); }
      m.set(l.label, l.secret);
      touched.add(l.clientRandom);
    }
    return [...touched];
  }

  /** Labels known for a client random (lowercase hex), empty when none. */
  labels(clientRandom: string): string[] {
    return [...(this.byRandom.get(clientRandom)?.keys() ?? [])];
  }

  secret(clientRandom: string, label: string): string | undefined {
    return this.byRandom.get(clientRandom)?.get(label);
  }

  get size(): number {
    return this.byRandom.size;
  }
}
