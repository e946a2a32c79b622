// Values that many handshakes repeat (server names, ALPN lists, offered versions and groups), stored once and
// shared by every JSON row and timeline fact that holds them: a capture keeps its hellos' facts until the end, and
// a separate copy per connection was most of that memory. Shared arrays must never be mutated by their holders.
// Bounded: when full, the tables start over (values already handed out stay valid).

const LIMIT = 8192;
const strings = new Map<string, string>();
const lists = new Map<string, readonly string[]>();

/** The shared instance of a string equal to `s`. */
export function shareString(s: string): string {
  const hit = strings.get(s);
  if (hit !== undefined) return hit;
  if (strings.size >= LIMIT) strings.clear();
  strings.set(s, s);
  return s;
}

/** A shared array with the same strings as `list` (which the caller gives up: it may become the shared one). */
export function shareList<T extends string>(list: T[]): T[] {
  if (list.length > 64) return list;
  const key = list.join('\u0000');
  const hit = lists.get(key);
  if (hit !== undefined && hit.length === list.length) return hit as T[];
  if (lists.size >= LIMIT) lists.clear();
  for (let i = 0; i < list.length; i++) list[i] = shareString(list[i]) as T;
  lists.set(key, list);
  return list;
}
