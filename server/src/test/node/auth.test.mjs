// Auth through the official @insforge/sdk 1.5.2, unchanged: sign-up, password sign-in in server mode
// and in browser-like web mode (refresh cookie + CSRF token), getCurrentUser, automatic refresh of an
// expired access token, rotation, reuse detection, sign-out, profiles, OTP sign-in and password reset
// with the codes read from a real SMTP server (GreenMail, exposed by the JUnit side over HTTP), and
// emails.send.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, AuthChangeEvent } from '@insforge/sdk';

const baseUrl = process.env.ANVIL_URL;
const anonKey = process.env.ANVIL_ANON_KEY;
// A second server whose access tokens live 2 s with no clock skew, to see the SDK refresh on expiry.
const shortUrl = process.env.ANVIL_SHORT_URL;
const shortAnonKey = process.env.ANVIL_SHORT_ANON_KEY;
const mailboxUrl = process.env.ANVIL_MAILBOX_URL;
const PASSWORD = 'correct-horse-7';

let counter = 0;
const uniqueEmail = (prefix) => `${prefix}-${Date.now().toString(36)}-${counter++}@example.com`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A browser, as far as the SDK can tell: the backend's cookies (the HttpOnly refresh cookie) live in a
 * jar the fetch wrapper carries — sent explicitly even though they are Secure and this is plain
 * http://127.0.0.1, as a browser treats localhost — and the frontend's `document.cookie` (where the
 * SDK keeps `insforge_csrf_token`) is a second jar.
 */
function browser() {
  const backendCookies = new Map(); // name -> { value, path }
  const pageCookies = new Map();
  const fetchWithCookies = async (url, init = {}) => {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = [...backendCookies.entries()]
      .filter(([, c]) => target.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    if (cookie) headers.set('Cookie', cookie);
    const response = await fetch(url, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const attr = (key) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=').slice(1).join('=');
      const expires = attr('expires');
      if (!value || (expires && new Date(expires) <= new Date())) {
        backendCookies.delete(name);
      } else {
        backendCookies.set(name, { value, path: attr('path') ?? '/' });
      }
    }
    return response;
  };
  const document = {
    get cookie() {
      return [...pageCookies.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
    },
    set cookie(line) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const maxAge = attributes.find((a) => a.toLowerCase().startsWith('max-age='));
      if (!value || (maxAge && Number(maxAge.split('=')[1]) <= 0)) pageCookies.delete(name);
      else pageCookies.set(name, value);
    },
  };
  return { fetch: fetchWithCookies, document, backendCookies, pageCookies };
}

/** Runs `body` with the browser's document installed globally, as the SDK expects to find it. */
async function inBrowser(session, body) {
  globalThis.document = session.document;
  try {
    return await body();
  } finally {
    delete globalThis.document;
  }
}

/** The newest mail to `address` once there are more than `seen`, read from GreenMail. */
async function nextMail(address, seen = 0) {
  for (let i = 0; i < 300; i++) {
    const response = await fetch(`${mailboxUrl}/messages?to=${encodeURIComponent(address)}`);
    const mails = await response.json();
    if (mails.length > seen) return mails[mails.length - 1];
    await sleep(50);
  }
  throw new Error(`no mail for ${address}`);
}
const codeIn = (mail) => /(?<![0-9#])(\d{6})(?![0-9])/.exec(mail.html)[1];

async function postJson(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

after(() => {
  delete globalThis.document;
});

test('signUp in a browser sets the refresh cookie and the CSRF cookie', async () => {
  const session = browser();
  await inBrowser(session, async () => {
    const client = createClient({ baseUrl, anonKey, fetch: session.fetch });
    const email = uniqueEmail('signup');
    const { data, error } = await client.auth.signUp({ email, password: PASSWORD, name: 'Sig Nup' });
    assert.equal(error, null);
    assert.equal(data.user.email, email);
    assert.equal(data.user.profile.name, 'Sig Nup');
    assert.equal(data.requireEmailVerification, false);
    assert.equal(data.refreshToken, undefined);
    assert.ok(session.backendCookies.get('insforge_refresh_token'), 'refresh cookie stored');
    assert.equal(session.backendCookies.get('insforge_refresh_token').path, '/api/auth');
    assert.equal(session.pageCookies.get('insforge_csrf_token'), data.csrfToken);

    const current = await client.auth.getCurrentUser();
    assert.equal(current.data.user.id, data.user.id);

    const duplicate = await client.auth.signUp({ email, password: PASSWORD });
    assert.equal(duplicate.data, null);
    assert.equal(duplicate.error.statusCode, 409);
    assert.equal(duplicate.error.error, 'AUTH_EMAIL_EXISTS');
  });
});

test('signInWithPassword in server mode, getCurrentUser, rotation and reuse detection', async () => {
  const email = uniqueEmail('server');
  const admin = createClient({ baseUrl, anonKey, isServerMode: true });
  assert.equal((await admin.auth.signUp({ email, password: PASSWORD })).error, null);

  const wrong = await admin.auth.signInWithPassword({ email, password: 'not-it' });
  assert.equal(wrong.error.statusCode, 401);
  assert.equal(wrong.error.error, 'AUTH_UNAUTHORIZED');
  assert.equal(wrong.error.message, 'Invalid credentials');

  const { data, error } = await admin.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(error, null);
  assert.ok(data.refreshToken, 'server mode gets the refresh token in the body');
  assert.equal(data.csrfToken, undefined);

  const asUser = createClient({ baseUrl, accessToken: data.accessToken });
  const current = await asUser.auth.getCurrentUser();
  assert.equal(current.error, null);
  assert.equal(current.data.user.email, email);

  const first = data.refreshToken;
  const second = await admin.auth.refreshSession({ refreshToken: first });
  assert.equal(second.error, null);
  assert.notEqual(second.data.refreshToken, first, 'rotated');
  const third = await admin.auth.refreshSession({ refreshToken: second.data.refreshToken });
  assert.equal(third.error, null);

  const reused = await admin.auth.refreshSession({ refreshToken: first });
  assert.equal(reused.error.statusCode, 401);
  assert.equal(reused.error.error, 'AUTH_UNAUTHORIZED');
  const family = await admin.auth.refreshSession({ refreshToken: third.data.refreshToken });
  assert.equal(family.error.statusCode, 401, 'reuse revoked the whole family');
});

test('signOut in server mode ends the session, so its refresh token stops working', async () => {
  const email = uniqueEmail('signout');
  const client = createClient({ baseUrl, anonKey, isServerMode: true });
  await client.auth.signUp({ email, password: PASSWORD });
  const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal((await client.auth.signOut()).error, null);

  const after = await client.auth.refreshSession({ refreshToken: data.refreshToken });
  assert.equal(after.error.statusCode, 401);
  assert.equal(after.error.error, 'AUTH_UNAUTHORIZED');
});

test('browser-like web mode: the SDK refreshes an expired access token with the cookie and CSRF header', async () => {
  const session = browser();
  await inBrowser(session, async () => {
    const client = createClient({ baseUrl: shortUrl, anonKey: shortAnonKey, fetch: session.fetch });
    const email = uniqueEmail('expiry');
    await client.auth.signUp({ email, password: PASSWORD });
    const signedIn = await client.auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(signedIn.error, null);
    const firstCookie = session.backendCookies.get('insforge_refresh_token').value;
    const csrf = session.pageCookies.get('insforge_csrf_token');
    const events = [];
    client.auth.onAuthStateChange((event) => events.push(event));

    await sleep(3000); // past the 2 s lifetime; the server allows no clock skew
    const expired = await fetch(`${shortUrl}/api/auth/sessions/current`, {
      headers: { Authorization: `Bearer ${signedIn.data.accessToken}` },
    });
    assert.equal(expired.status, 401);
    assert.equal((await expired.json()).error, 'AUTH_UNAUTHORIZED');

    const { data, error } = await client.auth.setProfile({ nickname: 'refreshed' });
    assert.equal(error, null, error && error.message);
    assert.equal(data.profile.nickname, 'refreshed');
    assert.ok(events.includes(AuthChangeEvent.TOKEN_REFRESHED), `events: ${events}`);
    const rotated = session.backendCookies.get('insforge_refresh_token').value;
    assert.notEqual(rotated, firstCookie, 'the refresh cookie rotated');
    assert.equal(session.pageCookies.get('insforge_csrf_token'), csrf, 'the CSRF token is stable for the session');

    // The rotated-away cookie is now a reused token: presenting it revokes the family.
    const reuse = await fetch(`${shortUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { Cookie: `insforge_refresh_token=${firstCookie}`, 'X-CSRF-Token': csrf },
    });
    assert.equal(reuse.status, 401);
    const dead = await fetch(`${shortUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { Cookie: `insforge_refresh_token=${rotated}`, 'X-CSRF-Token': csrf },
    });
    assert.equal(dead.status, 401);
  });
});

test('browser signOut sends the CSRF header, ends the session and clears the cookie', async () => {
  const session = browser();
  await inBrowser(session, async () => {
    const client = createClient({ baseUrl, anonKey, fetch: session.fetch });
    const email = uniqueEmail('web-signout');
    await client.auth.signUp({ email, password: PASSWORD });
    const cookie = session.backendCookies.get('insforge_refresh_token').value;
    const csrf = session.pageCookies.get('insforge_csrf_token');

    assert.equal((await client.auth.signOut()).error, null);
    assert.equal(session.backendCookies.has('insforge_refresh_token'), false, 'cookie cleared');
    assert.equal(session.pageCookies.has('insforge_csrf_token'), false, 'CSRF cookie cleared by the SDK');
    const refresh = await fetch(`${baseUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { Cookie: `insforge_refresh_token=${cookie}`, 'X-CSRF-Token': csrf },
    });
    assert.equal(refresh.status, 401);
  });
});

test('setProfile and getProfile', async () => {
  const session = browser();
  await inBrowser(session, async () => {
    const client = createClient({ baseUrl, anonKey, fetch: session.fetch });
    const { data: signedUp } = await client.auth.signUp({ email: uniqueEmail('profile'), password: PASSWORD, name: 'Pro' });
    const set = await client.auth.setProfile({ avatar_url: 'https://example.com/me.png', bio: 'hi' });
    assert.equal(set.error, null);
    assert.equal(set.data.profile.name, 'Pro');

    const reader = createClient({ baseUrl, anonKey });
    const { data, error } = await reader.auth.getProfile(signedUp.user.id);
    assert.equal(error, null);
    assert.deepEqual(data, { id: signedUp.user.id, profile: { name: 'Pro', avatar_url: 'https://example.com/me.png', bio: 'hi' } });

    const missing = await reader.auth.getProfile('00000000-0000-0000-0000-000000000000');
    assert.equal(missing.error.statusCode, 404);
    assert.equal(missing.error.error, 'AUTH_USER_NOT_FOUND');
  });
});

test('OTP sign-in with the code from the mail', async () => {
  const session = browser();
  await inBrowser(session, async () => {
    const client = createClient({ baseUrl, anonKey, fetch: session.fetch });
    const email = uniqueEmail('otp');
    const sent = await client.auth.signInWithOtp({ email });
    assert.equal(sent.error, null);
    assert.equal(sent.data.success, true);

    const code = codeIn(await nextMail(email));
    const { data, error } = await client.auth.verifyOtp({ email, otp: code, name: 'Otto' });
    assert.equal(error, null, error && error.message);
    assert.equal(data.user.email, email);
    assert.equal(data.user.emailVerified, true);
    assert.ok(session.backendCookies.get('insforge_refresh_token'));
    assert.equal((await client.auth.getCurrentUser()).data.user.profile.name, 'Otto');

    const again = await client.auth.verifyOtp({ email, otp: code });
    assert.equal(again.error.statusCode, 400);
  });
});

test('password reset with the code from the mail', async () => {
  const client = createClient({ baseUrl, anonKey, isServerMode: true });
  const email = uniqueEmail('reset');
  await client.auth.signUp({ email, password: PASSWORD });

  const sent = await client.auth.sendResetPasswordEmail({ email });
  assert.equal(sent.error, null);
  const code = codeIn(await nextMail(email));
  const exchanged = await client.auth.exchangeResetPasswordToken({ email, code });
  assert.equal(exchanged.error, null, exchanged.error && exchanged.error.message);
  assert.match(exchanged.data.token, /^[0-9a-f]{64}$/);
  assert.ok(new Date(exchanged.data.expiresAt) > new Date());

  const reset = await client.auth.resetPassword({ newPassword: 'a-new-password-9', otp: exchanged.data.token });
  assert.equal(reset.error, null);
  assert.equal(reset.data.message, 'Password reset successfully. Please login with your new password.');
  assert.equal((await client.auth.signInWithPassword({ email, password: PASSWORD })).error.statusCode, 401);
  assert.equal((await client.auth.signInWithPassword({ email, password: 'a-new-password-9' })).error, null);
});

test('emails.send: a signed-in user sends HTML mail through the SMTP config; the anon key may not', async () => {
  const client = createClient({ baseUrl, anonKey, isServerMode: true });
  const { error: signUpError } = await client.auth.signUp({ email: uniqueEmail('sender'), password: PASSWORD });
  assert.equal(signUpError, null);
  const to = uniqueEmail('recipient');
  const { data, error } = await client.emails.send({ to, subject: 'Your order', html: '<p>Shipped!</p>', from: 'Shop' });
  assert.equal(error, null, error && error.message);
  assert.deepEqual(data, {});
  const mail = await nextMail(to);
  assert.equal(mail.subject, 'Your order');
  assert.equal(mail.html, '<p>Shipped!</p>');

  const anonymous = createClient({ baseUrl, anonKey });
  const refused = await anonymous.emails.send({ to, subject: 'Spam', html: '<p>no</p>' });
  assert.equal(refused.data, null);
  assert.equal(refused.error.statusCode, 401);
  assert.equal(refused.error.error, 'AUTH_INVALID_CREDENTIALS');
});

test('public auth config', async () => {
  const client = createClient({ baseUrl, anonKey });
  const { data, error } = await client.auth.getPublicAuthConfig();
  assert.equal(error, null);
  assert.equal(data.passwordMinLength, 6);
  assert.deepEqual(data.oAuthProviders, []);
  assert.equal(data.verifyEmailMethod, 'code');
});

test('the refresh body field the automatic refresh uses is accepted too', async () => {
  const email = uniqueEmail('camel');
  const client = createClient({ baseUrl, anonKey, isServerMode: true });
  await client.auth.signUp({ email, password: PASSWORD });
  const { data } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  const refreshed = await postJson(`${baseUrl}/api/auth/refresh?client_type=mobile`, { refreshToken: data.refreshToken });
  assert.equal(refreshed.status, 200);
  assert.ok(refreshed.body.refreshToken);
  assert.equal(refreshed.body.user.email, email);
});
