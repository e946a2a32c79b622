// State the page exposes for end-to-end tests and the renderer benchmark (window.__pfTest). Read-only for them;
// written by the app as it draws. Cheap: plain numbers and a few strings.
export interface PfTestState {
  /** The app has mounted and the diagram's renderer is initialised. */
  ready: boolean;
  renderer: string;
  file: string | null;
  framesLoaded: number;
  loadDone: boolean;
  cursor: { frame: number; y: number };
  selectedFrame: number;
  /** Arrows drawn at least partly (aggregated frames count too), ghost arrows, and the drawing mode. */
  arrowsDrawn: number;
  ghosts: number;
  mode: string;
  lanes: string[];
  /** Frames the diagram shows (after conversation choice and filter) and the filter's match count. */
  shownFrames: number;
  filterMatches: number | null;
  filterError: string | null;
  highlightedFrame: number | null;
  conversations: { id: number; protocol: string; client: string; server: string; packets: number; notes: Record<string, number> }[];
  detailsFrame: number | null;
  detailsLabel: string | null;
  draws: number;
  lastDrawMs: number;
  /** ms from opening the file to the first diagram with arrows, to the whole file analysed (wall, in the page), and
   * the worker's own time for it. */
  firstDiagramMs: number | null;
  loadWallMs: number | null;
  workerMs: number | null;
  /** Why the last capture could not be opened, if it could not. */
  openError: string | null;
  cspViolations: string[];
  errors: string[];
}

export const pfTest: PfTestState = {
  ready: false, renderer: 'none', file: null, framesLoaded: 0, loadDone: false, cursor: { frame: 0, y: 0 },
  selectedFrame: 0, arrowsDrawn: 0, ghosts: 0, mode: 'empty', lanes: [], shownFrames: 0, filterMatches: null, filterError: null, highlightedFrame: null, conversations: [],
  detailsFrame: null, detailsLabel: null, draws: 0, lastDrawMs: 0, firstDiagramMs: null, loadWallMs: null, workerMs: null, openError: null, cspViolations: [], errors: [],
};

/** Commands for the benchmark (scripts/bench-renderer.ts): drive the view and read what was drawn. */
export interface PfControl {
  scrollBy(dx: number, dy: number): void;
  zoom(factor: number): void;
  setRowPx(rowPx: number): void;
  fitAll(): void;
  end(): void;
  /** Line segments of the last drawn scene, [x0, y0, x1, y1, ...] (arrows and aggregated bands). */
  segments(): number[];
}

declare global {
  interface Window {
    __pfTest: PfTestState;
    __pfControl?: PfControl;
  }
}

if (typeof window !== 'undefined') {
  window.__pfTest = pfTest;
  document.addEventListener('securitypolicyviolation', (e) => pfTest.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.addEventListener('error', (e) => pfTest.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => pfTest.errors.push(String((e as PromiseRejectionEvent).reason)));
}
