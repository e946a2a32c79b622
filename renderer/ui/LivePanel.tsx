// Live capture and replay (issue 7). The main-process side is electron/live-capture.ts; this panel only drives it
// through the preload API: interface picker with addresses, a BPF filter checked by libpcap before starting
// (its message shown as is), snaplen and promiscuous mode, start / pause display / stop / save as, and replay of
// the open file at a chosen pace.
import { useEffect, useState } from 'react';
import type { CaptureInterface } from '../../electron/ipc-contract';
import { useStore, type Store } from '../state/store';

export function LivePanel({ store }: { store: Store }) {
  const live = useStore(store, (s) => s.live);
  const file = useStore(store, (s) => s.file);
  const [ifaces, setIfaces] = useState<CaptureInterface[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [device, setDevice] = useState('');
  const [filter, setFilter] = useState('');
  const [filterMsg, setFilterMsg] = useState<string | null>(null);
  const [snaplen, setSnaplen] = useState(262144);
  const [promisc, setPromisc] = useState(false);
  const [replaySpeed, setReplaySpeed] = useState(1);
  const api = store.api;
  const running = live.session !== null && !live.ended;

  useEffect(() => {
    api.listInterfaces().then((list) => {
      setIfaces(list);
      if (list.length && !device) setDevice((list.find((i) => !i.loopback) ?? list[0]).name);
    }, (e: Error) => setError(e.message));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  useEffect(() => {
    if (!device) return;
    const t = setTimeout(() => {
      api.validateFilter(filter, device).then((r) => setFilterMsg(r.ok ? null : r.message), () => setFilterMsg(null));
    }, 300);
    return () => clearTimeout(t);
  }, [filter, device, api]);

  const start = async () => {
    setError(null);
    try {
      const started = await api.startCapture({ device, filter, snaplen, promiscuous: promisc });
      store.beginLive(started);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="overlay" role="dialog" aria-label="Live capture" onClick={() => store.set({ overlay: 'none' })}>
      <div className="dialog live" onClick={(e) => e.stopPropagation()}>
        <h2>Live capture</h2>
        {error ? <p className="error" role="alert">{error}</p> : null}
        {running ? (
          <div className="live-running">
            <p>{live.started?.description}</p>
            <p className="muted">Writing to {live.started?.file}</p>
            <div className="row">
              <button onClick={() => {
                const paused = !live.paused;
                void api.pauseCapture(live.session!, paused);
                store.set({ live: { ...live, paused } });
              }}>{live.paused ? 'Resume display' : 'Pause display'}</button>
              <button className="danger" onClick={() => void api.stopCapture(live.session!)}>Stop</button>
              <button onClick={() => void api.saveCaptureAs(live.session!)}>Save as…</button>
            </div>
          </div>
        ) : (
          <>
            <label>Interface</label>
            <div className="iface-list" role="listbox">
              {ifaces === null ? <p className="muted">Listing interfaces…</p> : ifaces.map((i) => (
                <div
                  key={i.name} role="option" aria-selected={device === i.name} className={`iface ${device === i.name ? 'on' : ''}`}
                  onClick={() => setDevice(i.name)}
                >
                  <b>{i.name}</b> {i.description ? <span className="muted">{i.description}</span> : null}
                  <div className="addr">{i.addresses.join(', ') || 'no addresses'}</div>
                </div>
              ))}
            </div>
            <label htmlFor="bpf">Capture filter (BPF)</label>
            <input id="bpf" value={filter} spellCheck={false} placeholder="e.g. tcp port 443 or udp port 53" onChange={(e) => setFilter(e.target.value)} />
            {filterMsg ? <p className="error">{filterMsg}</p> : null}
            <div className="row">
              <label>Snaplen <input type="number" min={64} max={262144} value={snaplen} onChange={(e) => setSnaplen(Number(e.target.value) || 262144)} /></label>
              <label><input type="checkbox" checked={promisc} onChange={(e) => setPromisc(e.target.checked)} /> Promiscuous</label>
            </div>
            <div className="row">
              <button className="primary" disabled={!device || !!filterMsg} onClick={() => void start()}>Start capture</button>
            </div>
            <hr />
            <h3>Replay the open capture</h3>
            <div className="row">
              <label>Speed <select value={replaySpeed} onChange={(e) => setReplaySpeed(Number(e.target.value))}>
                {[0.1, 0.5, 1, 2, 5, 10, 100].map((s) => <option key={s} value={s}>{s}×</option>)}
              </select></label>
              <button disabled={!file?.handle} onClick={() => void store.startReplay(replaySpeed)}>Replay {file?.name ?? ''}</button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
