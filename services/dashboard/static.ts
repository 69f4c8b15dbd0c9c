// The dashboard's static files, read once and served with a strict Content-Security-Policy
// (scripts only from this origin, no inline code), a second guard behind the page's escaping.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from '../http/router.ts';

const FILES: Record<string, { name: string; type: string }> = {
  '/': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { name: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/chart.js': { name: 'chart.js', type: 'text/javascript; charset=utf-8' },
  '/i18n.js': { name: 'i18n.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { name: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Every path the dashboard serves, for the router. */
export const DASHBOARD_PATHS = Object.keys(FILES);

const cache = new Map<string, string>();

function load(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(fileURLToPath(new URL('./' + name, import.meta.url)), 'utf8');
    cache.set(name, text);
  }
  return text;
}

export async function serveDashboard(req: Request): Promise<Response> {
  const f = FILES[req.path];
  return {
    status: 200,
    raw: { contentType: f.type, data: load(f.name) },
    headers: {
      'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'",
      'referrer-policy': 'no-referrer',
    },
  };
}
