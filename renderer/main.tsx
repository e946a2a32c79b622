// Renderer entry: picks the preload's API (Electron) or the browser implementation, then mounts the app.
import './test-hooks';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { getApi } from './browser-api';
import { Store } from './state/store';
import { App } from './ui/App';

const store = new Store(getApi());
createRoot(document.getElementById('root')!).render(<App store={store} />);
void store.init();
