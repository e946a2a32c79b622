// Bottom line: reading progress (a bar while a file loads), capture facts, warnings, live counters, messages.
import { useState } from 'react';
import { useStore, type Store } from '../state/store';
import { formatBytes } from './ConversationList';

export function StatusBar({ store }: { store: Store }) {
  const progress = useStore(store, (s) => s.progress);
  const version = useStore(store, (s) => s.dataVersion);
  const message = useStore(store, (s) => s.message);
  const live = useStore(store, (s) => s.live);
  const shownCount = useStore(store, (s) => s.shown?.count ?? 0);
  const [showWarnings, setShowWarnings] = useState(false);
  const data = store.session?.data;
  void version;
  const summary = data?.summary;
  const pct = progress && progress.size ? Math.min(100, (progress.bytesRead / progress.size) * 100) : 0;
  const warnings = summary?.warnings ?? [];
  const convs = data?.convCount ?? 0;

  return (
    <footer className="statusbar">
      {progress && !progress.done && live.session === null ? (
        <div className="loading" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
          <div className="bar"><div className="fill" style={{ width: `${pct}%` }} /></div>
          <span>Reading {formatBytes(progress.bytesRead)} of {formatBytes(progress.size)} · {progress.frames.toLocaleString()} frames</span>
        </div>
      ) : null}
      {live.session !== null ? (
        <div className="live-counters" aria-label="Capture counters">
          <span className={`live-dot ${live.ended ? 'stopped' : live.paused ? 'paused' : ''}`} />
          <span>{live.started?.description}</span>
          <span>captured <b>{(live.stats?.captured ?? 0).toLocaleString()}</b></span>
          <span>kernel drops <b>{(live.stats?.droppedKernel ?? 0).toLocaleString()}</b></span>
          <span className={live.stats?.droppedOurs ? 'bad' : ''}>our drops <b>{(live.stats?.droppedOurs ?? 0).toLocaleString()}</b></span>
          <span>{formatBytes(live.stats?.bytes ?? 0)}</span>
          <span>{Math.round(live.stats?.rate ?? 0).toLocaleString()} pkt/s</span>
        </div>
      ) : null}
      {progress?.done ? (
        <div className="facts">
          <span>{progress.frames.toLocaleString()} frames</span>
          <span>{convs.toLocaleString()} conversations</span>
          {shownCount !== progress.frames ? <span>{shownCount.toLocaleString()} shown</span> : null}
          {summary?.format ? <span>{summary.format}{summary.compressed ? ' (gzip)' : ''}</span> : null}
          {progress.elapsedMs !== null ? <span>read in {(progress.elapsedMs / 1000).toFixed(2)} s</span> : null}
        </div>
      ) : null}
      {warnings.length ? (
        <button className="warnings" onClick={() => setShowWarnings(!showWarnings)}>
          ⚠ {warnings.length} warning{warnings.length === 1 ? '' : 's'}
        </button>
      ) : null}
      <div className="spacer" />
      {message ? (
        <div className={`message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
          <button className="link" onClick={() => store.dismissMessage()} aria-label="Dismiss">×</button>
        </div>
      ) : null}
      {showWarnings ? (
        <div className="warning-list" onClick={() => setShowWarnings(false)}>
          {warnings.slice(0, 200).map((w, i) => <div key={i}>{w}</div>)}
        </div>
      ) : null}
    </footer>
  );
}
