// DNS names (RFC 1035 §3.1, §4.1.4): labels, compression pointers with loop protection, the 255-byte limit, and
// tshark's way of printing them (so names compare equal with its output).

/** Longest name on the wire, labels and their length bytes and the root byte (RFC 1035 §3.1). */
export const MAX_NAME_WIRE = 255;

export const NAME_ROOT = '<Root>';
export const NAME_LOOP = '<Name contains a pointer that loops>';
export const NAME_TOO_LONG = '<Name too long>';
export const NAME_EXTENDED_LABEL = '<Unknown extended label>';

export interface NameRead {
  /** tshark's text for the name: labels joined by '.', odd bytes escaped, or one of the NAME_* markers. */
  text: string;
  /** Offset just after the name where it was written (after the first pointer, if any). */
  next: number;
  /** The name could not be read: it runs past the message or uses a reserved label type. */
  error?: string;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]/u;

/**
 * One label's bytes as tshark 4.0 prints them: UTF-8 (an invalid sequence becomes one U+FFFD), C0 controls as C
 * escapes (\a \b \t \n \v \f \r) or 3-digit octal, DEL as \177, other non-printable characters (C1 controls,
 * format characters, unassigned code points) as \uXXXX or \UXXXXXXXX; everything else, '.' and '\' included,
 * unchanged.
 */
export function formatLabel(b: Uint8Array, start: number, end: number): string {
  let s = '';
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
      else s += controlEscape(c);
      i++;
      continue;
    }
    // multi-byte UTF-8
    let need = 0, cp = 0, min = 0;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; min = 0x10000; }
    let j = i + 1, ok = need > 0;
    for (let k = 0; ok && k < need; k++, j++) {
      if (j >= end || (b[j] & 0xc0) !== 0x80) { ok = false; break; }
      cp = (cp << 6) | (b[j] & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      const ch = String.fromCodePoint(cp);
      // not printable (control, format, unassigned): \uXXXX / \UXXXXXXXX like GLib-based format_text
      s += NON_PRINTABLE.test(ch)
        ? cp > 0xffff ? '\\U' + cp.toString(16).toUpperCase().padStart(8, '0') : '\\u' + cp.toString(16).toUpperCase().padStart(4, '0')
        : ch;
      i = j;
    } else {
      // one replacement character for the lead byte and the continuation bytes that follow it
      s += '\ufffd';
      i++;
      while (i < end && (b[i] & 0xc0) === 0x80) i++;
    }
  }
  return s;
}

function controlEscape(c: number): string {
  switch (c) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x09: return '\\t';
    case 0x0a: return '\\n';
    case 0x0b: return '\\v';
    case 0x0c: return '\\f';
    case 0x0d: return '\\r';
    default: return '\\' + c.toString(8).padStart(3, '0');
  }
}

/** Reads a (possibly compressed) name at `offset` of the message `b[0..end)`. */
export function readName(b: Uint8Array, offset: number, end: number): NameRead {
  let pos = offset;
  let next = -1;
  let wire = 1; // the root byte
  let tooLong = false;
  let labels = 0;
  // a name that visits more bytes than the message has must revisit some: a pointer loop (tshark's test too)
  let visited = 0;
  for (;;) {
    if (pos >= end) return { text: '', next: end, error: 'name runs past the end of the message' };
    const len = b[pos];
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 2 > end) return { text: '', next: end, error: 'compression pointer cut short' };
      const target = ((len & 0x3f) << 8) | b[pos + 1];
      if (next < 0) next = pos + 2;
      if (target >= end) return { text: '', next, error: `compression pointer to ${target}, outside the message` };
      visited += 2;
      if (visited > end) return { text: NAME_LOOP, next };
      pos = target;
      continue;
    }
    if (kind === 0x40) return { text: NAME_EXTENDED_LABEL, next: next < 0 ? pos + 1 : next };
    if (kind === 0x80) return { text: '', next: next < 0 ? pos + 1 : next, error: `reserved label type 0x${len.toString(16)}` };
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if (pos + 1 + len > end) return { text: '', next: end, error: 'label runs past the end of the message' };
    wire += 1 + len;
    visited += 1 + len;
    if (visited > end) return { text: NAME_LOOP, next: next < 0 ? pos : next };
    if (wire > MAX_NAME_WIRE) tooLong = true;
    else {
      // where the label is; the text is built once at the end
      spans[2 * labels] = pos + 1;
      spans[2 * labels + 1] = len;
      labels++;
    }
    pos += 1 + len;
  }
  if (tooLong) return { text: NAME_TOO_LONG, next };
  return { text: labels ? nameText(b, labels) : NAME_ROOT, next };
}

/**
 * Where the name at `offset` ends (readName's `next`), or -1 where readName reports an error: the same walk without
 * building the text, for names nobody reads (a first pass that only needs to get past them).
 */
export function skipName(b: Uint8Array, offset: number, end: number): number {
  let pos = offset;
  let next = -1;
  let visited = 0;
  for (;;) {
    if (pos >= end) return -1;
    const len = b[pos];
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 2 > end) return -1;
      const target = ((len & 0x3f) << 8) | b[pos + 1];
      if (next < 0) next = pos + 2;
      if (target >= end) return -1;
      visited += 2;
      if (visited > end) return next; // a loop: a marker text, not an error
      pos = target;
      continue;
    }
    if (kind === 0x40) return next < 0 ? pos + 1 : next;
    if (kind === 0x80) return -1;
    if (len === 0) return next < 0 ? pos + 1 : next;
    if (pos + 1 + len > end) return -1;
    visited += 1 + len;
    if (visited > end) return next < 0 ? pos : next;
    pos += 1 + len;
  }
}

/** [start, length] of each label of the name being read (at most 127 labels fit in 255 bytes). */
const spans = new Int32Array(2 * 128);
const codes: number[] = [];

/** The labels in `spans` joined by '.', as one flat string. */
function nameText(b: Uint8Array, labels: number): string {
  let n = 0;
  for (let l = 0; l < labels; l++) {
    const start = spans[2 * l], end = start + spans[2 * l + 1];
    if (l > 0) codes[n++] = 0x2e;
    for (let i = start; i < end; i++) {
      const c = b[i];
      // anything but printable ASCII needs formatLabel's escapes and UTF-8 decoding
      if (c < 0x20 || c >= 0x7f) return slowNameText(b, labels);
      codes[n++] = c;
    }
  }
  codes.length = n;
  return String.fromCharCode.apply(null, codes);
}

function slowNameText(b: Uint8Array, labels: number): string {
  const parts: string[] = [];
  for (let l = 0; l < labels; l++) parts.push(formatLabel(b, spans[2 * l], spans[2 * l] + spans[2 * l + 1]));
  return parts.join('.');
}
