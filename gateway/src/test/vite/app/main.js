// Edited by ViteDevServerTest: the new text must reach the page through Vite's HMR WebSocket.
import { message } from './message.js';

document.getElementById('message').textContent = message;
window.__loads = (window.__loads || 0) + 1;

if (import.meta.hot) {
  import.meta.hot.accept('./message.js', (next) => {
    document.getElementById('message').textContent = next.message;
  });
}
