// The window: toolbar, conversation list, filter + diagram + scrubber, details, status bar. Owns the keyboard map
// and drag-and-drop; everything else is in the store.
import { useEffect } from 'react';
import { useStore, type Store } from '../state/store';
import { SPEEDS } from '../diagram/playback';
import { pfTest } from '../test-hooks';
import { keyAction, SHORTCUTS, type KeyAction } from './keys';
import { Toolbar, FilterBox } from './Toolbar';
import { ConversationList } from './ConversationList';
import { Diagram } from './Diagram';
import { Scrubber } from './Scrubber';
import { DetailsPane } from './DetailsPane';
import { StatusBar } from './StatusBar';
import { LivePanel } from './LivePanel';

function run(store: Store, a: KeyAction): void {
  const st = store.state;
  switch (a) {
    case 'play': return store.togglePlay();
    case 'next': return store.step(1);
    case 'prev': return store.step(-1);
    case 'nextEvent': return store.stepEvent(1);
    case 'prevEvent': return store.stepEvent(-1);
    case 'home': return store.home();
    case 'end': return store.end();
    case 'zoomIn': return store.zoom(1.25);
    case 'zoomOut': return store.zoom(0.8);
    case 'zoomReset': return store.resetZoom();
    case 'fit': return store.fitConversation();
    case 'fitAll': return store.fitAll();
    case 'follow': return store.toggleFollow();
    case 'pageDown': return store.scrollBy(0, (st.view.height - 120) * 0.9);
    case 'pageUp': return store.scrollBy(0, -(st.view.height - 120) * 0.9);
    case 'panLeft': return store.scrollBy(-80, 0);
    case 'panRight': return store.scrollBy(80, 0);
    case 'panUp': return store.scrollBy(0, -80);
    case 'panDown': return store.scrollBy(0, 80);
    case 'faster': case 'slower': {
      const i = SPEEDS.indexOf(st.speed);
      const j = Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 3 : i) + (a === 'faster' ? 1 : -1)));
      return store.setSpeed(SPEEDS[j]);
    }
    case 'jump': return document.getElementById('jump-input')?.focus();
    case 'filter': return document.getElementById('filter-input')?.focus();
    case 'theme': return store.toggleTheme();
    case 'presentation': return store.togglePresentation();
    case 'help': return store.set({ overlay: st.overlay === 'shortcuts' ? 'none' : 'shortcuts' });
    case 'escape': return store.set({ overlay: 'none' });
    case 'open': return void store.openDialog();
    case 'timeScale': return store.setTimeScale(st.timeScale === 'compressed' ? 'linear' : 'compressed');
    case 'future': return store.set({ showFuture: !st.showFuture });
  }
}

export function App({ store }: { store: Store }) {
  const theme = useStore(store, (s) => s.theme);
  const presentation = useStore(store, (s) => s.presentation);
  const overlay = useStore(store, (s) => s.overlay);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.classList.toggle('presentation', presentation);
  }, [theme, presentation]);

  useEffect(() => {
    // Built when a test or the benchmark reads it: mapping ~100k conversations on every progress tick slowed loading.
    Object.defineProperty(pfTest, 'conversations', {
      configurable: true, enumerable: true,
      get: () => (store.session?.data?.conversations ?? []).filter(Boolean).map((c) => ({
        id: c.id, protocol: c.protocol, client: c.client, server: c.server, packets: c.packets, notes: c.notes,
      })),
    });
  }, [store]);

  useEffect(() => {
    // A plain subscription, not React state: selecting progress here re-rendered the whole (unmemoised) tree on
    // every progress tick while loading, which kept the UI thread busy and slowed the decoder sharing its CPU.
    const sync = () => {
      const { file, progress, details } = store.state;
      pfTest.file = file?.name ?? null;
      pfTest.framesLoaded = progress?.frames ?? 0;
      pfTest.loadDone = progress?.done ?? false;
      if (progress?.done && pfTest.loadWallMs === null) pfTest.loadWallMs = performance.now() - store.openedAt;
      if (!progress?.done) pfTest.loadWallMs = null;
      pfTest.workerMs = progress?.elapsedMs ?? null;
      pfTest.detailsFrame = details?.frame ?? null;
      pfTest.detailsLabel = details?.label ?? null;
    };
    sync();
    return store.subscribe(sync);
  }, [store]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if (typing && e.key !== 'Escape' && !(e.ctrlKey || e.metaKey)) return;
      if (typing && e.key === 'Escape') {
        t.blur();
        return;
      }
      const a = keyAction(e);
      if (!a) return;
      if (t?.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) t.blur();
      e.preventDefault();
      run(store, a);
    };
    const onDragOver = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) {
        e.preventDefault();
        document.body.classList.add('dropping');
      }
    };
    const onDragLeave = () => document.body.classList.remove('dropping');
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      document.body.classList.remove('dropping');
      const f = e.dataTransfer?.files?.[0];
      if (f) void store.openDropped(f);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [store]);

  return (
    <div className={`app ${presentation ? 'presentation' : ''}`}>
      <Toolbar store={store} />
      <div className="main">
        <ConversationList store={store} />
        <section className="center">
          <div className="filterbar"><FilterBox store={store} /><Legend /></div>
          <Diagram store={store} />
          <Scrubber store={store} />
        </section>
        <DetailsPane store={store} />
      </div>
      <StatusBar store={store} />
      {overlay === 'shortcuts' ? <Shortcuts store={store} /> : null}
      {overlay === 'about' ? <About store={store} /> : null}
      {overlay === 'live' ? <LivePanel store={store} /> : null}
      <div className="drop-hint">Drop the capture to open it</div>
    </div>
  );
}

const LEGEND: [string, string][] = [
  ['handshake', 'Handshake'], ['data', 'Data'], ['ack', 'ACK'], ['window', 'Window'], ['loss', 'Loss / retransmission'],
  ['close', 'Close / reset'], ['tls', 'TLS'], ['dns', 'DNS'], ['quic', 'QUIC'],
];

function Legend() {
  return (
    <div className="legend" aria-label="Colours">
      {LEGEND.map(([k, text]) => <span key={k} className={`legend-item cat-${k}`}><i />{text}</span>)}
    </div>
  );
}

function Shortcuts({ store }: { store: Store }) {
  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={() => store.set({ overlay: 'none' })}>
      <div className="dialog shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, v]) => <tr key={k}><th><kbd>{k}</kbd></th><td>{v}</td></tr>)}
          </tbody>
        </table>
        <p className="muted">Click an arrow to select its frame. Double-click a conversation to show only it.</p>
      </div>
    </div>
  );
}

function About({ store }: { store: Store }) {
  const info = store.state.info;
  return (
    <div className="overlay" role="dialog" aria-label="About" onClick={() => store.set({ overlay: 'none' })}>
      <div className="dialog" onClick={(e) => e.stopPropagation()}>
        <h2>PacketFlow</h2>
        <p>See network conversations as animated sequence diagrams.</p>
        <p className="muted">Version {info?.version ?? '?'} · {info?.platform ?? ''}</p>
      </div>
    </div>
  );
}
