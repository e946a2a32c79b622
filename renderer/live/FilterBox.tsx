// Capture filter input, checked by libpcap (through main) as the user types, pausing 300 ms; libpcap's own message
// is shown as is. useFilterCheck also tells the Start button whether it may start.
import { useEffect, useState } from 'react';
import type { FilterCheck } from '../../electron/ipc-contract';

export type FilterState = { state: 'empty' | 'checking' | 'ok' } | { state: 'bad'; message: string };

export function useFilterCheck(validate: (filter: string, device: string) => Promise<FilterCheck>, filter: string,
  device: string, delayMs = 300): FilterState {
  const [result, setResult] = useState<FilterState>({ state: 'empty' });
  useEffect(() => {
    if (filter.trim() === '') {
      setResult({ state: 'empty' });
      return;
    }
    setResult({ state: 'checking' });
    let current = true;
    const t = setTimeout(() => {
      validate(filter, device).then(
        (r) => { if (current) setResult(r.ok ? { state: 'ok' } : { state: 'bad', message: r.message }); },
        // Could not ask (main busy, no engine): let libpcap judge when the capture starts.
        () => { if (current) setResult({ state: 'ok' }); },
      );
    }, delayMs);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [validate, filter, device, delayMs]);
  return result;
}

export interface FilterBoxProps {
  value: string;
  onChange(value: string): void;
  check: FilterState;
  disabled?: boolean;
}

export function FilterBox({ value, onChange, check, disabled }: FilterBoxProps) {
  return (
    <div className="capture-filter">
      <label htmlFor="bpf">Capture filter (libpcap syntax)</label>
      <input id="bpf" value={value} spellCheck={false} disabled={disabled} aria-invalid={check.state === 'bad'}
        aria-describedby="bpf-check" placeholder="e.g. tcp port 443 or udp port 53"
        onChange={(e) => onChange(e.target.value)} />
      <p id="bpf-check" className={check.state === 'bad' ? 'error' : 'muted'} role={check.state === 'bad' ? 'alert' : undefined}>
        {check.state === 'bad' ? check.message : check.state === 'checking' ? 'Checking…'
          : check.state === 'ok' ? 'Valid filter' : 'No filter: every frame on the interface'}
      </p>
    </div>
  );
}
