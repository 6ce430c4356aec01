/**
 * The REST server's Host and Origin checks (request-guard.ts): which requests go on and which get 403.
 */
import { describe, expect, it } from 'vitest';
import { hostName, refusal } from '../../../src/rest/request-guard.js';

const local = { bindAddress: '127.0.0.1', allowedHosts: undefined };

describe('request guard', () => {
  it('request guard - host names lose their port and brackets', () => {
    expect(hostName('127.0.0.1:8081')).toBe('127.0.0.1');
    expect(hostName('[::1]:8081')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('LocalHost')).toBe('localhost');
  });

  it('request guard - loopback names and the bound address pass; any other Host is refused', () => {
    for (const host of ['127.0.0.1:8081', 'localhost:8081', '[::1]:8081', '127.0.0.2', 'app.localhost:1', undefined]) expect(refusal(local, 'GET', host, undefined), String(host)).toBeUndefined();
    expect(refusal(local, 'GET', 'evil.example.com', undefined)).toContain("The Host 'evil.example.com' is not an address of this cluster");
    expect(refusal(local, 'GET', '10.0.0.5:8081', undefined)).toBeDefined();
    expect(refusal({ bindAddress: 'flink.internal', allowedHosts: undefined }, 'GET', 'flink.internal:8081', undefined)).toBeUndefined();
  });

  it('request guard - rest.allowed-hosts adds hosts (, or ; separated) and * allows any', () => {
    const s = { bindAddress: '127.0.0.1', allowedHosts: 'proxy.local; dash.example.com:9000' };
    expect(refusal(s, 'GET', 'proxy.local:8081', undefined)).toBeUndefined();
    expect(refusal(s, 'GET', 'dash.example.com', undefined)).toBeUndefined();
    expect(refusal(s, 'GET', 'other.example.com', undefined)).toBeDefined();
    expect(refusal({ bindAddress: '127.0.0.1', allowedHosts: '*' }, 'GET', 'anything.example', undefined)).toBeUndefined();
  });

  it("request guard - a changing request from another origin is refused; its own origin, no origin, and allowed hosts' origins pass", () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(refusal(local, m, '127.0.0.1:8081', 'http://evil.example.com'), m).toContain("from the page of another origin ('http://evil.example.com') is refused");
      expect(refusal(local, m, '127.0.0.1:8081', 'http://127.0.0.1:8081'), m).toBeUndefined();
      expect(refusal(local, m, '127.0.0.1:8081', undefined), m).toBeUndefined();
    }
    // Another port of the same machine is another origin.
    expect(refusal(local, 'POST', '127.0.0.1:8081', 'http://127.0.0.1:3000')).toBeDefined();
    expect(refusal(local, 'POST', '127.0.0.1:8081', 'null')).toBeDefined();
    // Reading is allowed from any origin (the browser's CORS rules keep the answer from a foreign page).
    expect(refusal(local, 'GET', '127.0.0.1:8081', 'http://evil.example.com')).toBeUndefined();
    expect(refusal({ bindAddress: '127.0.0.1', allowedHosts: 'proxy.local' }, 'POST', '127.0.0.1:8081', 'http://proxy.local:9000')).toBeUndefined();
  });
});

describe('request guard - changing GETs', () => {
  it("request guard - Flink's GET yarn-cancel changes the cluster: refused from another origin or another site, allowed from the CLI and the UI", () => {
    const url = `/jobs/${'a'.repeat(32)}/yarn-cancel`;
    expect(refusal(local, 'GET', '127.0.0.1:8081', 'http://evil.example.com', url)).toContain('another origin');
    // An <img> or a link sends no Origin with a GET; the browser still says where it comes from.
    expect(refusal(local, 'GET', '127.0.0.1:8081', undefined, url, 'cross-site')).toContain('Sec-Fetch-Site: cross-site');
    expect(refusal(local, 'GET', '127.0.0.1:8081', undefined, `${url}?x=1`, 'same-site')).toBeDefined();
    expect(refusal(local, 'GET', '127.0.0.1:8081', undefined, url)).toBeUndefined();
    expect(refusal(local, 'GET', '127.0.0.1:8081', undefined, url, 'same-origin')).toBeUndefined();
    expect(refusal(local, 'GET', '127.0.0.1:8081', undefined, url, 'none')).toBeUndefined();
    // A plain read from another site's page stays allowed (the browser keeps the answer from it).
    expect(refusal(local, 'GET', '127.0.0.1:8081', undefined, '/jobs/overview', 'cross-site')).toBeUndefined();
  });
});
