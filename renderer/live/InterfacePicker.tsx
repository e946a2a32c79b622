// Capture interface list: name, description, addresses, loopback marked; arrow keys move the selection.
// Uses the live dialog's .iface-list/.iface styles.
import type { KeyboardEvent } from 'react';
import type { CaptureInterface } from '../../electron/ipc-contract';
import { sortInterfaces } from './format';

export interface InterfacePickerProps {
  interfaces: CaptureInterface[] | null;
  /** Why the list could not be read (no capture rights, no capture engine...). */
  error?: string | null;
  selected: string;
  onSelect(name: string): void;
  /** Enter or double click: start with this interface. */
  onChoose?(name: string): void;
}

export function InterfacePicker({ interfaces, error, selected, onSelect, onChoose }: InterfacePickerProps) {
  if (error) return <p className="error" role="alert">{error}</p>;
  if (interfaces === null) return <p className="muted">Listing interfaces…</p>;
  if (interfaces.length === 0) return <p className="muted">No capture interfaces found.</p>;
  const list = sortInterfaces(interfaces);
  const at = list.findIndex((i) => i.name === selected);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(list.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
      onSelect(list[next].name);
    } else if (e.key === 'Enter' && selected) {
      onChoose?.(selected);
    }
  };
  return (
    <div className="iface-list" role="listbox" aria-label="Capture interface" tabIndex={0} onKeyDown={onKey}
      aria-activedescendant={at >= 0 ? `iface-${list[at].name}` : undefined}>
      {list.map((i) => (
        <div key={i.name} id={`iface-${i.name}`} role="option" aria-selected={selected === i.name}
          className={`iface ${selected === i.name ? 'on' : ''}`}
          onClick={() => onSelect(i.name)} onDoubleClick={() => onChoose?.(i.name)}>
          <b>{i.name}</b>{i.loopback ? <span className="muted"> loopback</span> : null}
          {i.description ? <span className="muted"> {i.description}</span> : null}
          <div className="addr">{i.addresses.join(', ') || 'no addresses'}</div>
        </div>
      ))}
    </div>
  );
}
