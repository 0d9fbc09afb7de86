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
