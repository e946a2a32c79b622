// Details of the selected frame: its summary, the plain-words explanation of its events, the TCP endpoints' states
// and windows at that moment, the decoded layers as a tree (Wireshark field names) and the bytes in hex + ASCII
// with the selected field highlighted.
import { useState, type JSX } from 'react';
import type { LayerNodeView } from '../worker/protocol';
import { useStore, type Store } from '../state/store';
import { formatBytes } from './ConversationList';

const HEX_LIMIT = 4096;

/** Advertised receive window; negative means not known yet (no packet from that side). */
const windowText = (w: number) => (w < 0 ? 'unknown' : formatBytes(w));

export function DetailsPane({ store }: { store: Store }) {
  const details = useStore(store, (s) => s.details);
  const field = useStore(store, (s) => s.field);
  const frame = useStore(store, (s) => s.cursor.frame);
  const data = store.session?.data;

  if (!details || details.frame !== frame) {
    return (
      <aside className="details" aria-label="Frame details">
        <div className="details-empty">{frame > 0 ? 'Decoding…' : 'Step to a frame (→) or click an arrow to see its details.'}</div>
      </aside>
    );
  }
  const row = details.frame - 1;
  const time = data && row < data.frames.count ? data.frames.time[row] : 0;
  return (
    <aside className="details" aria-label="Frame details" data-frame={details.frame}>
      <section className="details-head">
        <div className="frame-no">Frame {details.frame}<span className="muted"> · +{time.toFixed(6)} s</span></div>
        <div className={`frame-label cat-${details.category}`} data-testid="details-label">{details.label}</div>
      </section>
      {details.events.filter((e) => e.explanation).length ? (
        <section className="explain">
          {details.events.filter((e) => e.explanation).map((e) => (
            <p key={e.id}><span className="event-kind">{e.kind}</span> {e.explanation}</p>
          ))}
        </section>
      ) : details.events.length ? (
        <section className="explain">
          <p>{details.events.map((e) => <span key={e.id} className="event-kind">{e.kind}</span>)}</p>
        </section>
      ) : null}
      {details.tcp ? (
        <section className="tcp-state" aria-label="TCP state">
          <table>
            <thead><tr><th /><th>Client</th><th>Server</th></tr></thead>
            <tbody>
              <tr><th>State</th><td>{details.tcp.client}</td><td>{details.tcp.server}</td></tr>
              <tr><th>Window</th><td>{windowText(details.tcp.clientWindow)}</td><td>{windowText(details.tcp.serverWindow)}</td></tr>
              <tr><th>In flight</th><td colSpan={2}>{formatBytes(details.tcp.bytesInFlight)}</td></tr>
            </tbody>
          </table>
        </section>
      ) : null}
      {details.note ? <p className="details-note">{details.note}</p> : null}
      <section className="layers" aria-label="Layers">
        {details.layers.map((n, i) => <LayerRow key={i} node={n} depth={0} store={store} selected={field} openByDefault={i === details.layers.length - 1} />)}
      </section>
      {details.bytes ? <HexView bytes={details.bytes} field={field} /> : null}
    </aside>
  );
}

function LayerRow({ node, depth, store, selected, openByDefault }: {
  node: LayerNodeView; depth: number; store: Store; selected: { offset: number; length: number; name: string } | null; openByDefault: boolean;
}) {
  const [open, setOpen] = useState(openByDefault);
  const isSel = selected?.name === node.name && selected.offset === node.offset && selected.length === node.length;
  const kids = node.children ?? [];
  return (
    <div className="layer">
      <div
        className={`layer-row ${isSel ? 'selected' : ''}`} style={{ paddingLeft: 8 + depth * 14 }}
        onClick={() => {
          store.setField({ offset: node.offset, length: node.length, name: node.name });
          if (kids.length) setOpen(!open);
        }}
        title={node.name}
      >
        <span className="twisty">{kids.length ? (open ? '▾' : '▸') : ''}</span>
        <span className="layer-label">{node.label}</span>
        <span className="layer-field">{node.name}</span>
      </div>
      {open ? kids.map((k, i) => <LayerRow key={i} node={k} depth={depth + 1} store={store} selected={selected} openByDefault={false} />) : null}
    </div>
  );
}

function HexView({ bytes, field }: { bytes: Uint8Array; field: { offset: number; length: number } | null }) {
  const [all, setAll] = useState(false);
  const n = all ? bytes.length : Math.min(bytes.length, HEX_LIMIT);
  const lines: JSX.Element[] = [];
  const inField = (i: number) => field !== null && field.length > 0 && i >= field.offset && i < field.offset + field.length;
  for (let off = 0; off < n; off += 16) {
    const hex: JSX.Element[] = [];
    const ascii: JSX.Element[] = [];
    for (let i = off; i < off + 16; i++) {
      if (i >= n) {
        hex.push(<span key={i} className="b">{'   '}</span>);
        continue;
      }
      const b = bytes[i];
      const cls = inField(i) ? 'b hl' : 'b';
      hex.push(<span key={i} className={cls}>{b.toString(16).padStart(2, '0')}{i % 16 === 7 ? '  ' : ' '}</span>);
      ascii.push(<span key={i} className={cls}>{b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'}</span>);
    }
    lines.push(
      <div key={off} className="hex-line">
        <span className="off">{off.toString(16).padStart(4, '0')}</span>
        <span className="hex">{hex}</span>
        <span className="ascii">{ascii}</span>
      </div>,
    );
  }
  return (
    <section className="hexview" aria-label="Bytes">
      {lines}
      {bytes.length > n ? <button className="link" onClick={() => setAll(true)}>Show all {bytes.length.toLocaleString()} bytes</button> : null}
    </section>
  );
}
