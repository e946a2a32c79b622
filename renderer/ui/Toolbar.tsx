// Top bar: file, playback (step, play, speed, jump), navigation (zoom, fit, follow, time scale), filter and
// appearance. Every button has a keyboard equivalent, shown in its tooltip.
import { useEffect, useRef, useState } from 'react';
import { SPEEDS, type Speed } from '../diagram/playback';
import { timeOfY } from '../diagram/shown-set';
import { useStore, type Store } from '../state/store';
import { Icon } from './icons';

const speedText = (s: Speed) => (s === 'frame' ? '1 frame/s' : `${s}×`);

export function Toolbar({ store }: { store: Store }) {
  const file = useStore(store, (s) => s.file);
  const playing = useStore(store, (s) => s.playing);
  const speed = useStore(store, (s) => s.speed);
  const cursor = useStore(store, (s) => s.cursor);
  const shown = useStore(store, (s) => s.shown);
  const follow = useStore(store, (s) => s.follow);
  const timeScale = useStore(store, (s) => s.timeScale);
  const theme = useStore(store, (s) => s.theme);
  const presentation = useStore(store, (s) => s.presentation);
  const info = useStore(store, (s) => s.info);
  const frames = useStore(store, (s) => s.progress?.frames ?? 0);
  const [jump, setJump] = useState('');
  const t = shown && shown.count ? timeOfY(shown, cursor.y) : 0;
  const disabled = !shown;

  return (
    <header className="toolbar">
      <div className="brand" title="PacketFlow">
        <svg width="22" height="22" viewBox="0 0 22 22" aria-hidden>
          <path d="M4 3v16M18 3v16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" opacity=".45" />
          <path d="M4 7l14 3M18 12L4 15" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <span>PacketFlow</span>
      </div>
      <button onClick={() => void store.openDialog()} title="Open a capture (Ctrl+O)">Open…</button>
      {info?.electron || info?.liveCapture ? (
        <button onClick={() => store.set({ overlay: 'live' })} title="Live capture and replay (Ctrl+L)">Live…</button>
      ) : null}
      <div className="file-name" title={file?.path || file?.name}>{file ? file.name : 'No capture'}</div>

      <div className="group playback" role="group" aria-label="Playback">
        <button disabled={disabled} onClick={() => store.home()} title="First frame (Home)" aria-label="First frame"><Icon name="first" /></button>
        <button disabled={disabled} onClick={() => store.stepEvent(-1)} title="Previous event of this conversation (Shift+←)" aria-label="Previous event"><Icon name="prevEvent" /></button>
        <button disabled={disabled} onClick={() => store.step(-1)} title="Previous frame (←)" aria-label="Previous frame"><Icon name="prev" /></button>
        <button disabled={disabled} className="play" onClick={() => store.togglePlay()} title="Play / pause (Space)" aria-label={playing ? 'Pause' : 'Play'}>
          <Icon name={playing ? 'pause' : 'play'} />
        </button>
        <button disabled={disabled} onClick={() => store.step(1)} title="Next frame (→)" aria-label="Next frame"><Icon name="next" /></button>
        <button disabled={disabled} onClick={() => store.stepEvent(1)} title="Next event of this conversation (Shift+→)" aria-label="Next event"><Icon name="nextEvent" /></button>
        <button disabled={disabled} onClick={() => store.end()} title="Last frame (End)" aria-label="Last frame"><Icon name="last" /></button>
        <select
          value={String(speed)} onChange={(e) => store.setSpeed(e.target.value === 'frame' ? 'frame' : Number(e.target.value))}
          title="Playback speed ([ and ])" aria-label="Playback speed"
        >
          {SPEEDS.map((s) => <option key={String(s)} value={String(s)}>{speedText(s)}</option>)}
        </select>
      </div>

      <div className="group position">
        <form onSubmit={(e) => { e.preventDefault(); store.jumpTo(Number(jump)); setJump(''); (document.activeElement as HTMLElement)?.blur(); }}>
          <input
            id="jump-input" className="jump" inputMode="numeric" placeholder={cursor.frame ? String(cursor.frame) : '—'}
            value={jump} onChange={(e) => setJump(e.target.value.replace(/[^0-9]/g, ''))}
            title="Jump to frame (G)" aria-label="Jump to frame"
          />
        </form>
        <span className="of">/ {frames.toLocaleString()}</span>
        <span className="clock" title="Time of the cursor, from the first frame">{t.toFixed(6)} s</span>
      </div>

      <div className="group nav" role="group" aria-label="View">
        <button disabled={disabled} onClick={() => store.zoom(0.8)} title="Zoom out (−)" aria-label="Zoom out">−</button>
        <button disabled={disabled} onClick={() => store.zoom(1.25)} title="Zoom in (+)" aria-label="Zoom in">+</button>
        <button disabled={disabled} onClick={() => store.fitConversation()} title="Fit the current conversation (F)">Fit</button>
        <button disabled={disabled} onClick={() => store.fitAll()} title="Fit the whole capture (A)">All</button>
        <button className={follow ? 'on' : ''} onClick={() => store.toggleFollow()} title="Follow the cursor (C)" aria-pressed={follow}>Follow</button>
        <button onClick={() => store.setTimeScale(timeScale === 'compressed' ? 'linear' : 'compressed')} title="Compressed or linear time scale (L)">
          {timeScale === 'compressed' ? 'Compressed' : 'Linear'}
        </button>
      </div>

      <div className="group appearance">
        <ExportMenu store={store} />
        <button onClick={() => store.toggleTheme()} title="Light / dark theme (T)" aria-label="Toggle theme"><Icon name={theme === 'dark' ? 'sun' : 'moon'} /></button>
        <button className={presentation ? 'on' : ''} onClick={() => store.togglePresentation()} title="Presentation mode: larger type (M, F5)" aria-pressed={presentation}>Present</button>
        <button onClick={() => store.set({ overlay: 'shortcuts' })} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">?</button>
      </div>
    </header>
  );
}

export function FilterBox({ store }: { store: Store }) {
  const error = useStore(store, (s) => s.filterError);
  const matches = useStore(store, (s) => s.filterMatches);
  const applied = useStore(store, (s) => s.filterText);
  const [text, setText] = useState(applied);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setText(applied), [applied]);
  return (
    <div className={`filter ${error ? 'bad' : applied ? 'active' : ''}`}>
      <input
        id="filter-input" type="search" spellCheck={false} value={text}
        placeholder="Filter: tcp.port == 443, dns, tcp.analysis.retransmission, 10.0.0.1"
        aria-label="Filter frames"
        onChange={(e) => {
          const v = e.target.value;
          setText(v);
          if (timer.current) clearTimeout(timer.current);
          timer.current = setTimeout(() => void store.applyFilter(v), 350);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            if (timer.current) clearTimeout(timer.current);
            void store.applyFilter(text);
          }
          if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
        }}
      />
      {error ? <span className="filter-msg" role="alert">{error}</span> : matches !== null ? <span className="filter-msg">{matches.toLocaleString()} frames</span> : null}
    </div>
  );
}

function ExportMenu({ store }: { store: Store }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="menu-wrap">
      <button onClick={() => setOpen(!open)} aria-haspopup="menu" aria-expanded={open} title="Export the diagram">Export</button>
      {open ? (
        <div className="menu" role="menu" onMouseLeave={() => setOpen(false)}>
          <button role="menuitem" onClick={() => { setOpen(false); void store.exportDiagram('svg'); }}>Diagram as SVG</button>
          <button role="menuitem" onClick={() => { setOpen(false); void store.exportDiagram('png'); }}>Diagram as PNG</button>
        </div>
      ) : null}
    </div>
  );
}
