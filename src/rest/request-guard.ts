/**
 * What keeps a cluster on a developer's laptop safe from the web pages of the browser beside it
 * (miniflink's own: Flink checks neither). A page cannot reach the cluster through DNS rebinding,
 * because a request is answered only when its `Host` names the address the server listens on, a
 * loopback name, one of this machine's addresses when it listens on all of them, or a host listed
 * in `rest.allowed-hosts`. And a page of another origin cannot change anything (upload and run a
 * job module, cancel, stop): a POST, PUT, PATCH or DELETE whose `Origin` is present must be the
 * server's own origin (the request's Host) or a host listed in `rest.allowed-hosts` (Flink's own
 * dashboard behind a proxy on another port). Flink's `GET /jobs/:jobid/yarn-cancel` changes the
 * cluster too; as a browser sends no Origin with a GET it makes for an image or a link, a changing
 * request is also refused when the browser says it comes from another site (`Sec-Fetch-Site:
 * cross-site` or `same-site`). Both answer 403 with Flink's error shape. Clients that send neither
 * header (the CLI, curl) are unaffected.
 */
import { networkInterfaces } from 'node:os';
import { splitList } from './route-context.js';

/** Methods that change the cluster. */
const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** GET paths that change the cluster (Flink's YARN-era cancel, kept by its REST API). */
const CHANGING_GET = /\/jobs\/[^/]+\/yarn-(cancel|stop)\/?(\?|$)/;

/** A host name without its port and brackets, lower case (`[::1]:8081` -> `::1`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h;
}

function isLoopback(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

/** The guard's settings: where the server listens and the hosts the configuration adds. */
export interface GuardSettings {
  /** The address the server listens on (`rest.bind-address`, else `rest.address`). */
  readonly bindAddress: string;
  /** `rest.allowed-hosts`: more host names (or `*`: any). */
  readonly allowedHosts: string | undefined;
}

/** Why a request is refused (status 403), or undefined when it may go on. */
export function refusal(settings: GuardSettings, method: string, host: string | undefined, origin: string | undefined, url = '', fetchSite?: string): string | undefined {
  const extra = splitList(settings.allowedHosts ?? '', /[,;]/).map((h) => hostName(h));
  const anyHost = extra.includes('*');
  const allowed = (name: string) => anyHost || isLoopback(name) || name === hostName(settings.bindAddress) || extra.includes(name) || (isWildcard(hostName(settings.bindAddress)) && ownAddresses().has(name));
  if (host !== undefined && !allowed(hostName(host))) {
    return `The Host '${host}' is not an address of this cluster: requests must name the address it listens on, a loopback name, or a host listed in rest.allowed-hosts (miniflink's guard against DNS rebinding).`;
  }
  const changing = CHANGING.has(method.toUpperCase()) || CHANGING_GET.test(url);
  if (!changing) return undefined;
  if (origin === undefined) {
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') return `A ${method.toUpperCase()} of ${url} from another site's page (Sec-Fetch-Site: ${fetchSite}) is refused: it would change the cluster.`;
    return undefined;
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    originHost = '';
  }
  if (originHost !== '' && host !== undefined && originHost === host.trim().toLowerCase()) return undefined;
  if (originHost !== '' && (anyHost || extra.includes(hostName(originHost)))) return undefined;
  return `A ${method.toUpperCase()} from the page of another origin ('${origin}') is refused: only the cluster's own web UI, clients that send no Origin (the CLI, curl) and origins whose host is listed in rest.allowed-hosts may change the cluster.`;
}

let own: Set<string> | undefined;
/** This machine's addresses (for a server that listens on all of them). */
function ownAddresses(): Set<string> {
  own ??= new Set(
    Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined)
      .map((i) => i.address.toLowerCase()),
  );
  return own;
}
