// Small inline SVG icons (system fonts here lack the media-control glyphs, and no icon font may be fetched).
const P: Record<string, string> = {
  first: 'M5 4v12M15 4l-7 6 7 6z',
  prevEvent: 'M4 4v12M16 4l-6 6 6 6M10 4l-6 6 6 6',
  prev: 'M13 4l-7 6 7 6z',
  play: 'M6 4l10 6-10 6z',
  pause: 'M6 4h3v12H6zM11 4h3v12h-3z',
  next: 'M7 4l7 6-7 6z',
  nextEvent: 'M16 4v12M4 4l6 6-6 6M10 4l6 6-6 6',
  last: 'M15 4v12M5 4l7 6-7 6z',
  sun: 'M10 6.5a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zM10 1.5v2.5M10 16v2.5M1.5 10h2.5M16 10h2.5M4 4l1.7 1.7M14.3 14.3L16 16M4 16l1.7-1.7M14.3 5.7L16 4',
  moon: 'M15.5 12.5A6.5 6.5 0 0 1 7.5 4.5a6.5 6.5 0 1 0 8 8z',
};

export function Icon({ name, filled = true }: { name: keyof typeof P; filled?: boolean }) {
  const stroke = name === 'sun' || name === 'prevEvent' || name === 'nextEvent' || name === 'first' || name === 'last';
  return (
    <svg width="14" height="14" viewBox="0 0 20 20" aria-hidden focusable="false">
      <path d={P[name]} fill={filled && !['sun', 'prevEvent', 'nextEvent'].includes(name) ? 'currentColor' : 'none'}
        stroke={stroke ? 'currentColor' : 'none'} strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
