// OAuth sign-in through the official @insforge/sdk 1.5.2, unchanged: signInWithOAuth with
// skipBrowserRedirect returns the provider URL and the PKCE verifier; this file then does what a
// browser does — opens the provider's login page (a real OpenID Connect server started by JUnit),
// submits its form, follows the redirect to our callback and reads insforge_code from our redirect
// back to the app — and hands the code to exchangeOAuthCode. Google, a custom OIDC provider, and
// the refusals the SDK surfaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@insforge/sdk';

const baseUrl = process.env.ANVIL_URL;
const anonKey = process.env.ANVIL_ANON_KEY;
const customKey = process.env.ANVIL_OAUTH_CUSTOM_KEY;
const APP = 'http://localhost:5173/auth/callback';

let counter = 0;
const uniqueEmail = (prefix) => `${prefix}-${Date.now().toString(36)}-${counter++}@example.com`;

/** The browser's part: provider login page → its redirect to our callback → our redirect to the app. */
async function signInAtProvider(authUrl, username, claims) {
  let response = await fetch(authUrl, { redirect: 'manual' });
  if (response.status === 200) {
    const page = await response.text();
    assert.match(page, /<form/, 'the provider shows its login form');
    response = await fetch(authUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, claims: JSON.stringify(claims) }),
    });
  }
  assert.equal(response.status, 302, 'the provider sends the browser back');
  const callback = response.headers.get('location');
  assert.match(callback, /\/api\/auth\/oauth\/.+\/callback\?/);
  const back = await fetch(callback, { redirect: 'manual' });
  assert.equal(back.status, 302, 'our callback sends the browser on to the app');
  return new URL(back.headers.get('location'));
}

const claims = (email, name) => ({ email, email_verified: true, name, picture: `https://pics.example/${name}` });

test('signInWithOAuth + exchangeOAuthCode signs a browser-mode client in with Google', async () => {
  const client = createClient({ baseUrl, anonKey });
  const email = uniqueEmail('sdk-google');
  const { data, error } = await client.auth.signInWithOAuth('google', {
    redirectTo: APP,
    skipBrowserRedirect: true,
    additionalParams: { prompt: 'consent' },
  });
  assert.equal(error, null);
  assert.equal(data.provider, 'google');
  assert.ok(data.codeVerifier.length >= 43);
  const authUrl = new URL(data.url);
  assert.equal(authUrl.searchParams.get('prompt'), 'consent');
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');

  const app = await signInAtProvider(data.url, `sdk-google-${counter}`, claims(email, 'Sdk Google'));
  assert.equal(`${app.origin}${app.pathname}`, APP);
  const code = app.searchParams.get('insforge_code');
  assert.ok(code, `insforge_code in ${app}`);

  const exchanged = await client.auth.exchangeOAuthCode(code, data.codeVerifier);
  assert.equal(exchanged.error, null);
  assert.ok(exchanged.data.accessToken);
  assert.ok(exchanged.data.csrfToken, 'web mode answers with a CSRF token');
  assert.equal(exchanged.data.refreshToken, undefined, 'web mode keeps the refresh token in the cookie');
  assert.equal(exchanged.data.user.email, email);
  assert.deepEqual(exchanged.data.user.providers, ['google']);

  const { data: current, error: currentError } = await client.auth.getCurrentUser();
  assert.equal(currentError, null);
  assert.equal(current.user.email, email);
  assert.equal(current.user.emailVerified, true);

  // The session's token is live on the server: the profile can be changed with it.
  const profile = await client.auth.setProfile({ nickname: 'oauth' });
  assert.equal(profile.error, null);
  assert.equal(profile.data.profile.name, 'Sdk Google');
  assert.equal(profile.data.profile.nickname, 'oauth');
});

test('a custom OpenID Connect provider goes through /oauth/custom/<key>; server mode gets a refresh token', async () => {
  const client = createClient({ baseUrl, anonKey, isServerMode: true });
  const email = uniqueEmail('sdk-custom');
  const { data, error } = await client.auth.signInWithOAuth({ provider: customKey, redirectTo: APP, skipBrowserRedirect: true });
  assert.equal(error, null);
  assert.equal(data.provider, customKey);

  const app = await signInAtProvider(data.url, `sdk-custom-${counter}`, claims(email, 'Sdk Custom'));
  const exchanged = await client.auth.exchangeOAuthCode(app.searchParams.get('insforge_code'), data.codeVerifier);
  assert.equal(exchanged.error, null);
  assert.ok(exchanged.data.refreshToken, 'server mode exchanges with client_type=mobile');
  assert.deepEqual(exchanged.data.user.providers, [customKey]);

  const refreshed = await client.auth.refreshSession({ refreshToken: exchanged.data.refreshToken });
  assert.equal(refreshed.error, null);
  assert.equal(refreshed.data.user.email, email);
});

test('the SDK surfaces refusals: a wrong verifier, a used code, an unknown provider', async () => {
  const client = createClient({ baseUrl, anonKey });
  const { data } = await client.auth.signInWithOAuth('google', { redirectTo: APP, skipBrowserRedirect: true });
  const app = await signInAtProvider(data.url, `sdk-refusals-${counter}`, claims(uniqueEmail('sdk-refusals'), 'Refusals'));
  const code = app.searchParams.get('insforge_code');
  const other = await client.auth.signInWithOAuth('google', { redirectTo: APP, skipBrowserRedirect: true });

  const wrong = await client.auth.exchangeOAuthCode(code, other.data.codeVerifier);
  assert.equal(wrong.data, null);
  assert.equal(wrong.error.error, 'AUTH_UNAUTHORIZED');
  assert.equal(wrong.error.message, 'PKCE verification failed');

  const used = await client.auth.exchangeOAuthCode(code, data.codeVerifier);
  assert.equal(used.error.error, 'INVALID_INPUT');
  assert.equal(used.error.message, 'Invalid or expired code');

  const unknown = await client.auth.signInWithOAuth('nobody-configured', { redirectTo: APP, skipBrowserRedirect: true });
  assert.equal(unknown.error.statusCode, 404);
  assert.equal(unknown.error.message, 'Custom OAuth provider nobody-configured is not configured.');
});
