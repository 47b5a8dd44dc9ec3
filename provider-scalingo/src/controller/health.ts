/** /healthz (the process answers), /readyz (informers synced, not shutting down) and /metrics. */
import { createServer, type Server } from 'node:http';
import type { ProviderMetrics } from './metrics.js';

export function healthServer(metrics: ProviderMetrics, isReady: () => boolean): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/readyz') {
      const ready = isReady();
      return void response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
    }
    if (path === '/metrics') return void response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    response.writeHead(404).end();
  });
}
