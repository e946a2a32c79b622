// Keyboard map: everything an instructor does in front of a class has a key. Pure (event → action) so it is
// testable and the help overlay lists exactly what is bound.
export type KeyAction =
  | 'play' | 'next' | 'prev' | 'nextEvent' | 'prevEvent' | 'home' | 'end' | 'zoomIn' | 'zoomOut' | 'zoomReset'
  | 'fit' | 'fitAll' | 'follow' | 'pageDown' | 'pageUp' | 'panLeft' | 'panRight' | 'panUp' | 'panDown' | 'faster'
  | 'slower' | 'jump' | 'filter' | 'theme' | 'presentation' | 'help' | 'escape' | 'open' | 'timeScale' | 'future';

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export function keyAction(e: KeyLike): KeyAction | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod) {
    switch (e.key.toLowerCase()) {
      case 'o': return 'open';
      case 'f': return 'filter';
      case 'g': return 'jump';
      case '=': case '+': return 'zoomIn';
      case '-': return 'zoomOut';
      case '0': return 'zoomReset';
      default: return null;
    }
  }
  if (e.altKey) {
    switch (e.key) {
      case 'ArrowLeft': return 'panLeft';
      case 'ArrowRight': return 'panRight';
      case 'ArrowUp': return 'panUp';
      case 'ArrowDown': return 'panDown';
      default: return null;
    }
  }
  switch (e.key) {
    case ' ': case 'k': case 'K': return 'play';
    case 'ArrowRight': case 'ArrowDown': case 'j': case 'J': return e.shiftKey ? 'nextEvent' : 'next';
    case 'ArrowLeft': case 'ArrowUp': return e.shiftKey ? 'prevEvent' : 'prev';
    case 'n': case 'N': return 'nextEvent';
    case 'p': case 'P': return 'prevEvent';
    case 'Home': return 'home';
    case 'End': return 'end';
    case '+': case '=': return 'zoomIn';
    case '-': case '_': return 'zoomOut';
    case '0': return 'zoomReset';
    case 'f': return 'fit';
    case 'F': case 'a': case 'A': return 'fitAll';
    case 'c': case 'C': return 'follow';
    case 'PageDown': return 'pageDown';
    case 'PageUp': return 'pageUp';
    case ']': case '>': return 'faster';
    case '[': case '<': return 'slower';
    case 'g': case 'G': return 'jump';
    case '/': return 'filter';
    case 't': case 'T': return 'theme';
    case 'F5': case 'm': case 'M': return 'presentation';
    case '?': case 'F1': case 'h': case 'H': return 'help';
    case 'Escape': return 'escape';
    case 'l': case 'L': return 'timeScale';
    case 'v': case 'V': return 'future';
    default: return null;
  }
}

/** The help overlay's table, in display order. */
export const SHORTCUTS: [string, string][] = [
  ['Space / K', 'Play or pause'],
  ['→ ↓ / J', 'Next frame'],
  ['← ↑', 'Previous frame'],
  ['Shift+→ / N', 'Next event of the current conversation'],
  ['Shift+← / P', 'Previous event of the current conversation'],
  ['Home / End', 'First / last frame'],
  ['G  (Ctrl+G)', 'Jump to a frame number'],
  ['] / [', 'Faster / slower playback'],
  ['+ / −  (Ctrl+wheel, pinch)', 'Zoom in / out around the cursor'],
  ['0', 'Default zoom'],
  ['F', 'Fit the current conversation'],
  ['A / Shift+F', 'Fit the whole capture'],
  ['C', 'Follow the cursor on / off'],
  ['PageUp / PageDown, wheel, drag', 'Scroll'],
  ['Alt+arrows, Shift+wheel', 'Pan'],
  ['L', 'Compressed / linear time scale'],
  ['V', 'Show / hide not-yet-sent packets'],
  ['/  (Ctrl+F)', 'Filter frames (e.g. tcp.port == 443, tcp.analysis.retransmission)'],
  ['T', 'Light / dark theme'],
  ['M / F5', 'Presentation mode (larger type)'],
  ['Ctrl+O', 'Open a capture'],
  ['? / F1', 'This help'],
  ['Esc', 'Close dialogs, leave the filter box'],
];
