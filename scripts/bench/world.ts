// The network the generated capture is taken on: a client LAN (IPv4 and IPv6) behind one router, a resolver on the
// router, and servers on the Internet known by DNS names. The capture point is the LAN side of the router.
import type { Host } from './frame-builder';
import type { Prng } from './prng';

export interface Server {
  name: string;
  v4: Host[];
  v6: Host[];
  /** CNAME chain the resolver returns for the name (possibly empty). */
  cnames: string[];
}

const WORDS = ['alpha', 'nova', 'cloud', 'pixel', 'river', 'stone', 'maple', 'orbit', 'delta', 'lumen', 'vertex', 'cobalt',
  'harbor', 'zephyr', 'quartz', 'ember', 'atlas', 'sierra', 'tango', 'falcon', 'cedar', 'indigo', 'mosaic', 'nimbus',
  'onyx', 'prism', 'raven', 'solar', 'tundra', 'umbra', 'vivid', 'willow', 'xenon', 'yonder', 'zenith', 'aurora',
  'beacon', 'canyon', 'dune', 'echo', 'fjord', 'glacier', 'helix', 'iris', 'jade', 'kite', 'lotus', 'meadow'];
const PREFIXES = ['www', 'api', 'cdn', 'static', 'img', 'login', 'mail', 'app', 'm', 'assets', 'video', 'news', 'shop',
  'auth', 'data', 'media', 'ws', 'docs', 'update', 'telemetry'];
const TLDS = ['com', 'net', 'org', 'io', 'dev', 'co.uk', 'de', 'fr', 'app'];
/**
 * Ports in the ephemeral range that Wireshark 4.0 binds a UDP dissector to (`tshark -G decodes`): a client port
 * among them would make it dissect QUIC as something else, so clients never pick them (nor traceroute's
 * 33434-33534, which tshark flags as "Possible traceroute").
 */
const WIRESHARK_UDP_PORTS = new Set([34962, 34980, 37008, 41170, 44818, 45564, 47000, 47808, 49999, 54328, 56000, 56001,
  56500, 56501, 57000, 57001, 57032, 57033, 57500, 57501, 57532, 57533, 59000, 59001, 59032, 59033, 59500, 59501,
  59532, 59533, 60001]);
const CDNS = ['edgesuite.net', 'cdn-cache.net', 'fastedge.io', 'globalcdn.com'];

export class World {
  readonly router: Uint8Array;
  readonly resolver4: Host;
  readonly resolver6: Host;
  readonly clients4: Host[] = [];
  readonly clients6: Host[] = [];
  readonly servers: Server[] = [];
  private readonly nextPort = new Map<Host, number>();

  constructor(private readonly rng: Prng, clientCount = 120, serverCount = 900) {
    this.router = this.mac(0x00);
    this.resolver4 = { mac: this.router, ip: Uint8Array.of(192, 168, 1, 1), ttl: 64, ipId: rng.int(0, 65535) };
    this.resolver6 = { mac: this.router, ip: this.v6([0x2001, 0x0db8, 0x0001, 0x0001, 0, 0, 0, 1]), ttl: 64, ipId: 0 };
    for (let i = 0; i < clientCount; i++) {
      const mac = this.mac(0x02);
      const ttl = rng.chance(0.3) ? 128 : 64;
      this.clients4.push({ mac, ip: Uint8Array.of(192, 168, 1, 10 + i), ttl, ipId: rng.int(0, 65535) });
      this.clients6.push({ mac, ip: this.v6([0x2001, 0x0db8, 0x0001, 0x0001, rng.int(0, 65535), rng.int(0, 65535),
        rng.int(0, 65535), rng.int(1, 65535)]), ttl, ipId: 0 });
    }
    const bases = new Set<string>();
    while (bases.size < serverCount / 3) bases.add(`${rng.pick(WORDS)}${rng.pick(WORDS)}.${rng.pick(TLDS)}`);
    const baseList = [...bases];
    const names = new Set<string>();
    while (names.size < serverCount) names.add(`${rng.pick(PREFIXES)}.${rng.pick(baseList)}`);
    for (const name of names) {
      const n4 = rng.int(1, 4);
      const ttl = rng.int(40, 120);
      const v4: Host[] = [], v6: Host[] = [];
      for (let i = 0; i < n4; i++) {
        v4.push({ mac: this.router, ip: this.publicV4(), ttl, ipId: rng.int(0, 65535) });
        v6.push({ mac: this.router, ip: this.v6([0x2a00 + rng.int(0, 0xff), rng.int(0, 65535), rng.int(0, 65535), 0, 0, 0,
          rng.int(0, 65535), rng.int(1, 65535)]), ttl, ipId: 0 });
      }
      const cnames: string[] = [];
      if (rng.chance(0.4)) {
        const cdn = rng.pick(CDNS);
        cnames.push(`${name.replace(/\./g, '-')}.${cdn}`);
        if (rng.chance(0.5)) cnames.push(`e${rng.int(1, 9999)}.a.${cdn}`);
      }
      this.servers.push({ name, v4, v6, cnames });
    }
  }

  /** A server, popular ones more often (about Zipf-like). */
  pickServer(): Server {
    const u = this.rng.next();
    return this.servers[Math.floor(u * u * this.servers.length)];
  }
  pickClient(v6: boolean): Host {
    return this.rng.pick(v6 ? this.clients6 : this.clients4);
  }
  /** The client's next ephemeral port (Linux range 32768–60999). */
  ephemeralPort(client: Host): number {
    let p = this.nextPort.get(client) ?? this.rng.int(32768, 60999);
    do p = p >= 60999 ? 32768 : p + this.rng.int(1, 7);
    while (WIRESHARK_UDP_PORTS.has(p) || (p >= 33434 && p <= 33534));
    this.nextPort.set(client, p);
    return p;
  }

  private mac(first: number): Uint8Array {
    const m = this.rng.bytes(6);
    m[0] = first; // locally administered / unicast
    return m;
  }
  private publicV4(): Uint8Array {
    for (;;) {
      const a = this.rng.int(13, 223);
      if (a === 127 || a === 10 || a === 172 || a === 192 || a === 100 || a === 169) continue;
      return Uint8Array.of(a, this.rng.int(0, 255), this.rng.int(0, 255), this.rng.int(1, 254));
    }
  }
  private v6(words: number[]): Uint8Array {
    const b = new Uint8Array(16);
    for (let i = 0; i < 8; i++) { b[2 * i] = words[i] >> 8; b[2 * i + 1] = words[i] & 0xff; }
    return b;
  }
}
