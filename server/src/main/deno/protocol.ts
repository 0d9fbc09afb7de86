// The wire between the Anvil server (Java, `dev.anvil.server.functions.RuntimeProtocol`) and this
// host. Both sides must agree on these names.

export const HEADER = {
  /** Shared secret on every call except /health. */
  TOKEN: 'x-anvil-runtime-token',
  /** The function the caller expects a worker port to serve. */
  FUNCTION_SLUG: 'x-anvil-function-slug',
  /** The function version (hash of its code) the caller expects to run. */
  FUNCTION_VERSION: 'x-anvil-function-version',
  /** The secrets version the caller expects the function to see. */
  SECRETS_VERSION: 'x-anvil-secrets-version',
  /** The URL the client called (the function's `request.url`). */
  REQUEST_URL: 'x-anvil-request-url',
  /** Per-invocation timeout in milliseconds. */
  TIMEOUT_MS: 'x-anvil-timeout-ms',
  /** The client's Accept-Encoding, carried aside so Deno.serve does not compress for the proxy. */
  ACCEPT_ENCODING: 'x-anvil-accept-encoding',
  /** On a 409 answer: what is missing or stale (`code`, `secrets`, `route`), comma-separated. */
  MISS: 'x-anvil-runtime-miss',
} as const;

export const CONTROL_PREFIX = '/_anvil/';
export const SLUG_PATTERN = /^[a-zA-Z0-9_-]+$/;
