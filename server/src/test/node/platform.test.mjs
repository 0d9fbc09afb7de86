// Foundation checks through the official SDK's own HTTP client: health, and that an error from
// Anvil surfaces as the SDK's InsForgeError with our code, status and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@insforge/sdk';

const baseUrl = process.env.ANVIL_URL;
const anonKey = process.env.ANVIL_ANON_KEY;

test('health through the SDK http client', async () => {
  const client = createClient({ baseUrl, anonKey });
  const health = await client.getHttpClient().get('/api/health');
  assert.equal(health.status, 'ok');
  assert.match(health.version, /^\d+\.\d+\.\d+$/);
});

test('errors arrive as InsForgeError with the contract fields', async () => {
  const client = createClient({ baseUrl, anonKey });
  await assert.rejects(client.getHttpClient().get('/api/does-not-exist'), (error) => {
    assert.equal(error.name, 'InsForgeError');
    assert.equal(error.error, 'NOT_FOUND');
    assert.equal(error.statusCode, 404);
    assert.equal(error.message, 'Endpoint /api/does-not-exist not found');
    return true;
  });
});

test('an admin route refuses the anon key with 403 AUTH_UNAUTHORIZED', async () => {
  const client = createClient({ baseUrl, anonKey });
  await assert.rejects(client.getHttpClient().get('/api/usage/mcp'), (error) => {
    assert.equal(error.statusCode, 403);
    assert.equal(error.error, 'AUTH_UNAUTHORIZED');
    assert.equal(error.message, 'Admin access required');
    return true;
  });
});

test('CORS preflight from a browser origin', async () => {
  const response = await fetch(`${baseUrl}/api/auth/refresh`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://localhost:5173',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-csrf-token',
    },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
  assert.match(response.headers.get('access-control-allow-headers'), /x-csrf-token/i);
});
