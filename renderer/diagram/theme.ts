// Colours of the diagram per theme. One hue per category, chosen to stay apart for common colour-vision
// deficiencies (loss is red and also carries a marker, never colour alone) and to read on a projector.
import { CATEGORIES } from '../worker/protocol';

export type ThemeName = 'light' | 'dark';

export interface DiagramTheme {
  name: ThemeName;
  background: number;
  panel: number;
  lifeline: number;
  lifelineAlpha: number;
  text: number;
  muted: number;
  accent: number;
  now: number;
  selection: number;
  /** Colour per category index (CATEGORIES order). */
  cat: number[];
  ghostAlpha: number;
}

const hex = (s: string) => parseInt(s.slice(1), 16);

const LIGHT_CATS: Record<string, string> = {
  handshake: '#6741d9', data: '#1c7ed6', ack: '#868e96', window: '#e67700', loss: '#e03131', close: '#c2255c',
  tls: '#0c8599', dns: '#2b8a3e', quic: '#d9480f', other: '#5c677d',
};
const DARK_CATS: Record<string, string> = {
  handshake: '#b197fc', data: '#4dabf7', ack: '#8d96a3', window: '#fcc419', loss: '#ff6b6b', close: '#f783ac',
  tls: '#3bc9db', dns: '#69db7c', quic: '#ffa94d', other: '#a5b1c2',
};

export const THEMES: Record<ThemeName, DiagramTheme> = {
  light: {
    name: 'light', background: hex('#fbfcfd'), panel: hex('#ffffff'), lifeline: hex('#5c6b7f'), lifelineAlpha: 0.35,
    text: hex('#1f2733'), muted: hex('#6b7685'), accent: hex('#1971c2'), now: hex('#f08c00'), selection: hex('#1971c2'),
    cat: CATEGORIES.map((c) => hex(LIGHT_CATS[c])), ghostAlpha: 0.13,
  },
  dark: {
    name: 'dark', background: hex('#14171c'), panel: hex('#1b1f26'), lifeline: hex('#8b98ab'), lifelineAlpha: 0.35,
    text: hex('#e6e9ef'), muted: hex('#97a1af'), accent: hex('#4dabf7'), now: hex('#ffa94d'), selection: hex('#74c0fc'),
    cat: CATEGORIES.map((c) => hex(DARK_CATS[c])), ghostAlpha: 0.16,
  },
};

export const cssColor = (n: number) => `#${n.toString(16).padStart(6, '0')}`;

/** Short badge text per marker bit (see Mark in worker/protocol.ts). */
export const MARK_BADGES: [number, string, string][] = [
  [1, 'R', 'retransmission'],
  [2, 'D', 'duplicate ACK'],
  [4, '0W', 'zero window'],
  [8, '?', 'previous segment not captured'],
  [16, 'O', 'out of order'],
  [64, 'RST', 'reset'],
];
