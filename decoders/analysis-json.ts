// Types of `packetflow analyze --json` (the contract is ../shared/design/analysis-json.md; README summarises it).

export interface WarningJson { frame: number | null; offset: number; message: string }

export interface TcpJson {
  stream: number;
  client: string;
  server: string;
  firstFrame: number;
  lastFrame: number;
  frames: number;
  handshake: { syn: number | null; synAck: number | null; ack: number | null; initialRtt: number | null };
  windowScale: { client: number | null; server: number | null };
  analysis: Partial<Record<TcpAnalysisFlagName, number[]>>;
  fin: { client: number[]; server: number[] };
  rst: { client: number[]; server: number[] };
  firstCloser: 'client' | 'server' | null;
  bytes: { client: number; server: number };
}

export const TCP_ANALYSIS_FLAGS = [
  'retransmission', 'fast_retransmission', 'spurious_retransmission', 'out_of_order', 'duplicate_ack', 'zero_window',
  'zero_window_probe', 'zero_window_probe_ack', 'window_full', 'window_update', 'keep_alive', 'keep_alive_ack',
  'lost_segment', 'ack_lost_segment',
] as const;
export type TcpAnalysisFlagName = (typeof TCP_ANALYSIS_FLAGS)[number];

export interface TlsJson {
  frame: number;
  tcpStream: number;
  type: string;
  sni?: string;
  alpn?: string[];
  supportedVersions?: string[];
  cipherSuite?: string;
  helloRetryRequest?: boolean;
  ja3?: string;
  ja4?: string;
}

export interface DnsRecordJson { name: string; type: number; ttl?: number; data?: string }
export interface DnsJson {
  frame: number;
  transport: 'udp' | 'tcp';
  proto: 'dns' | 'mdns' | 'llmnr';
  id: number;
  response: boolean;
  rcode?: number;
  questions: { name: string; type: number }[];
  answers: DnsRecordJson[];
}

export interface QuicJson {
  frame: number;
  indexInDatagram: number;
  header: 'long' | 'short';
  version?: string;
  packetType: 'initial' | '0rtt' | 'handshake' | 'retry' | 'version_negotiation' | '1rtt';
  dcid: string;
  scid?: string;
  packetNumber?: number;
  frameTypes?: number[];
  sni?: string;
  alpn?: string[];
}

export interface AnalysisJson {
  file: string;
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  frames: number;
  linkTypes: number[];
  warnings: WarningJson[];
  tcp?: TcpJson[];
  tls?: TlsJson[];
  dns?: DnsJson[];
  quic?: QuicJson[];
}
