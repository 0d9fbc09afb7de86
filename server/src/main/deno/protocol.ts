// The wire between the Anvil server (Java, `dev.anvil.server.functions.RuntimeProtocol`) and this
// host. Both sides must agree on these names.

export const HEADER = {
  /** Shared secret on every call to the host except /health (never sent to workers). */
  TOKEN: 'x-anvil-runtime-token',
  /** On a call to a worker: the route id it must have (a stale route gets 409). */
  ROUTE: 'x-anvil-route',
  /** On /:slug calls to the host: the function version (hash of its code) the caller expects. */
  FUNCTION_VERSION: 'x-anvil-function-version',
  /** On /:slug calls to the host: the secrets version the caller expects the function to see. */
  SECRETS_VERSION: 'x-anvil-secrets-version',
  /** On a 409 answer: what is missing or stale (`code`, `secrets`, `route`), comma-separated. */
  MISS: 'x-anvil-runtime-miss',
} as const;

export const CONTROL_PREFIX = '/_anvil/';
export const SLUG_PATTERN = /^[a-zA-Z0-9_-]+$/;

/**
 * What the host tells its parent on stdout, one JSON line each: {"event":...,"tag":...}. Functions
 * can write to the same stdout (console.log, process.stdout), so each event carries a tag derived
 * from the runtime token, which functions never see; the parent ignores lines without it.
 */
let eventTag = '';

/** The tag: the first 32 hex digits of SHA-256("anvil-runtime-events:" + token); '' without a token. */
export async function signEvents(token: string): Promise<void> {
  if (!token) return;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('anvil-runtime-events:' + token));
  eventTag = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32);
}

export function reportEvent(name: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ event: name, ...fields, tag: eventTag }));
}
