// The conversation list: TCP/UDP/QUIC conversations with endpoints, packets, bytes, duration and notable events.
// Checkboxes choose what the diagram shows; a click jumps to the conversation. Virtualised (fixed row height), so
// fifty thousand conversations cost what the visible ones cost.
import { useCallback, useMemo, useRef, useState } from 'react';
import type { ConvSummary } from '../worker/protocol';
import { formatDuration } from '../diagram/layout';
import { useStore, type Store } from '../state/store';

const ROW = 64;

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** "retransmission" × 3 → "retransmissions: 3". */
export function noteText(name: string, count: number): string {
  const words = name.replace(/[._]/g, ' ');
  return `${count === 1 || words.endsWith('s') ? words : `${words}s`}: ${count}`;
}

const PROBLEM = /retrans|dup|lost|zero|reset|rst|out.of.order|timeout|alert|refused/i;

export function ConversationList({ store }: { store: Store }) {
  const version = useStore(store, (s) => s.dataVersion);
  const selected = useStore(store, (s) => s.selected);
  const includeOther = useStore(store, (s) => s.includeOther);
  const cursorFrame = useStore(store, (s) => s.cursor.frame);
  const [query, setQuery] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const listRef = useRef<HTMLDivElement>(null);
  // A stable ref callback with a resize observer: an inline one ran on every render, and reading clientHeight there
  // forced a layout per batch while loading.
  const resizeObs = useRef<ResizeObserver | null>(null);
  const measure = useCallback((el: HTMLDivElement | null) => {
    listRef.current = el;
    resizeObs.current?.disconnect();
    resizeObs.current = null;
    if (!el) return;
    if (el.clientHeight) setHeight(el.clientHeight);
    if (typeof ResizeObserver === 'function') {
      resizeObs.current = new ResizeObserver(() => { if (el.clientHeight) setHeight(el.clientHeight); });
      resizeObs.current.observe(el);
    }
  }, []);
  const data = store.session?.data;

  const convs = useMemo(() => {
    const all = (data?.conversations ?? []).filter(Boolean);
    const q = query.trim().toLowerCase();
    if (!q) return all;
    return all.filter((c) => `${c.protocol} ${c.client} ${c.server} ${c.title ?? ''} ${c.app ?? ''} ${nameOf(store, c)}`.toLowerCase().includes(q));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, version, query]);

  const current = cursorFrame > 0 && data && cursorFrame <= data.frames.count ? data.frames.conv[cursorFrame - 1] : -1;
  const first = Math.max(0, Math.floor(scrollTop / ROW) - 4);
  const last = Math.min(convs.length, Math.ceil((scrollTop + height) / ROW) + 4);
  const total = data?.convCount ?? 0;
  const isOn = (id: number) => selected === 'all' || selected.has(id);

  return (
    <aside className="conversations" aria-label="Conversations">
      <header>
        <div className="panel-title">
          Conversations <span className="count">{total.toLocaleString()}</span>
        </div>
        <input
          className="search" type="search" placeholder="Find a conversation" value={query}
          onChange={(e) => setQuery(e.target.value)} aria-label="Find a conversation"
        />
        <div className="conv-actions">
          <button onClick={() => store.setSelection('all')} disabled={selected === 'all'}>Show all</button>
          <button onClick={() => store.setSelection(new Set())}>None</button>
          <label className="other-toggle">
            <input type="checkbox" checked={includeOther} onChange={(e) => store.setIncludeOther(e.target.checked)} />
            Other traffic
          </label>
        </div>
      </header>
      <div
        className="conv-scroll" ref={measure}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: convs.length * ROW, position: 'relative' }}>
          {convs.slice(first, last).map((c, i) => (
            <ConvRow
              key={c.id} c={c} top={(first + i) * ROW} on={isOn(c.id)} current={c.id === current} store={store}
              duration={data ? data.frames.time[c.lastFrame - 1] - data.frames.time[c.firstFrame - 1] : 0}
            />
          ))}
        </div>
        {total === 0 ? <div className="conv-empty">{store.state.progress?.done ? 'No conversations in this capture.' : 'Reading…'}</div> : null}
      </div>
    </aside>
  );
}

function nameOf(store: Store, c: ConvSummary): string {
  const d = store.session?.data;
  if (!d) return '';
  const host = d.hosts[c.serverHost];
  return d.hostNames.get(host) ?? '';
}

function ConvRow({ c, top, on, current, store, duration }: { c: ConvSummary; top: number; on: boolean; current: boolean; store: Store; duration: number }) {
  const server = nameOf(store, c);
  const notes = Object.entries(c.notes).filter(([, v]) => v > 0);
  return (
    <div
      className={`conv-row ${current ? 'current' : ''} ${on ? '' : 'off'}`} style={{ top, height: ROW }}
      onClick={() => store.jumpTo(c.firstFrame)} onDoubleClick={() => store.toggleConversation(c.id, true)}
      title={`${c.client} → ${c.server}\nDouble-click to show only this conversation`}
      data-conv={c.id}
    >
      <input
        type="checkbox" checked={on} aria-label={`Show conversation ${c.id}`}
        onClick={(e) => e.stopPropagation()} onChange={() => store.toggleConversation(c.id)}
      />
      <div className="conv-main">
        <div className="conv-line1">
          <span className={`proto proto-${c.app ?? c.protocol}`}>{(c.app ?? c.protocol).toUpperCase()}</span>
          <span className="conv-title">{c.title || server || c.server}</span>
        </div>
        <div className="conv-endpoints">{c.client} → {c.server}</div>
        <div className="conv-stats">
          {c.packets.toLocaleString()} pkts · {formatBytes(c.bytes[0] + c.bytes[1])} · {formatDuration(Math.max(0, duration))}
          {notes.map(([k, v]) => (
            <span key={k} className={`note ${PROBLEM.test(k) ? 'problem' : ''}`}>{noteText(k, v)}</span>
          ))}
        </div>
      </div>
    </div>
  );
}
