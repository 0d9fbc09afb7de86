// Storage through the official SDK (@insforge/sdk 1.5.2), unchanged: upload, uploadAuto, download
// (bytes-equal, including a multi-megabyte binary), list with prefix, getPublicUrl, createSignedUrl,
// remove — and a private bucket that refuses the anon key. Run by StorageNodeSuiteTest against a
// server on each provider (STORAGE_MODE says which).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClient, createAdminClient } from '@insforge/sdk';

const baseUrl = process.env.ANVIL_URL;
const anonKey = process.env.ANVIL_ANON_KEY;
const mode = process.env.STORAGE_MODE;

const admin = createAdminClient({ baseUrl, apiKey: process.env.ANVIL_API_KEY });
// A signed-in user: the SDK sends a static access token as its bearer credential.
const user = createClient({ baseUrl, anonKey, accessToken: process.env.ANVIL_USER_TOKEN });
const anon = createClient({ baseUrl, anonKey });

const publicBucket = `sdk-public-${mode}`;
const privateBucket = `sdk-private-${mode}`;

async function bytesOf(blob) {
  return Buffer.from(await blob.arrayBuffer());
}

before(async () => {
  const http = admin.getHttpClient();
  await http.post('/api/storage/buckets', { bucketName: publicBucket, isPublic: true });
  await http.post('/api/storage/buckets', { bucketName: privateBucket, isPublic: false });
});

test('upload returns a StorageFile and download gives the same bytes back', async () => {
  const content = Buffer.from('hello from the official SDK\n');
  const { data, error } = await user.storage.from(publicBucket).upload('notes/hello.txt', new Blob([content], { type: 'text/plain' }));
  assert.equal(error, null, error?.message);
  assert.equal(data.bucket, publicBucket);
  assert.equal(data.key, 'notes/hello.txt');
  assert.equal(data.size, content.length);
  assert.equal(data.mimeType, 'text/plain');
  assert.match(data.uploadedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(data.url.includes(`/api/storage/buckets/${publicBucket}/objects/notes%2Fhello.txt`), data.url);

  const downloaded = await user.storage.from(publicBucket).download('notes/hello.txt');
  assert.equal(downloaded.error, null, downloaded.error?.message);
  assert.deepEqual(await bytesOf(downloaded.data), content);
});

test('a multi-megabyte binary survives upload and download bit for bit (public and private buckets)', async () => {
  const content = randomBytes(6 * 1024 * 1024 + 333);
  for (const bucket of [publicBucket, privateBucket]) {
    const { data, error } = await user.storage.from(bucket).upload('big/random.bin', new Blob([content]));
    assert.equal(error, null, error?.message);
    assert.equal(data.size, content.length);
    const downloaded = await user.storage.from(bucket).download('big/random.bin');
    assert.equal(downloaded.error, null, downloaded.error?.message);
    const bytes = await bytesOf(downloaded.data);
    assert.equal(bytes.length, content.length);
    assert.ok(bytes.equals(content), `bytes differ in ${bucket}`);
  }
});

test('uploadAuto generates a collision-free key from the file name', async () => {
  const file = new File([Buffer.from('auto content')], 'My Report (final).txt', { type: 'text/plain' });
  const first = await user.storage.from(publicBucket).uploadAuto(file);
  const second = await user.storage.from(publicBucket).uploadAuto(file);
  assert.equal(first.error, null, first.error?.message);
  assert.match(first.data.key, /^My-Report--final--\d{13}-[0-9a-z]{1,6}\.txt$/);
  assert.notEqual(first.data.key, second.data.key);
  const downloaded = await user.storage.from(publicBucket).download(first.data.key);
  assert.equal((await bytesOf(downloaded.data)).toString(), 'auto content');
});

test('list filters by prefix and paginates', async () => {
  const bucket = user.storage.from(publicBucket);
  for (const key of ['gallery/a.txt', 'gallery/b.txt', 'gallery/c.txt', 'other/d.txt']) {
    const { error } = await bucket.upload(key, new Blob([key]));
    assert.equal(error, null, error?.message);
  }
  const { data, error } = await bucket.list({ prefix: 'gallery/' });
  assert.equal(error, null, error?.message);
  assert.deepEqual(data.data.map((item) => item.key), ['gallery/a.txt', 'gallery/b.txt', 'gallery/c.txt']);
  assert.equal(data.pagination.total, 3);
  assert.equal(data.data[0].mimeType, 'text/plain');
  assert.equal(data.data[0].mime_type, 'text/plain');

  const page = await bucket.list({ prefix: 'gallery/', limit: 2, offset: 2 });
  assert.deepEqual(page.data.data.map((item) => item.key), ['gallery/c.txt']);
  assert.deepEqual(page.data.pagination, { offset: 2, limit: 2, total: 3 });

  const searched = await bucket.list({ search: 'her/d' });
  assert.deepEqual(searched.data.data.map((item) => item.key), ['other/d.txt']);
});

test('getPublicUrl is fetchable without credentials for public buckets only', async () => {
  await user.storage.from(publicBucket).upload('pub/pic.bin', new Blob([Buffer.from([1, 2, 3])]));
  await user.storage.from(privateBucket).upload('priv/pic.bin', new Blob([Buffer.from([4, 5, 6])]));

  const { data } = user.storage.from(publicBucket).getPublicUrl('pub/pic.bin');
  assert.equal(data.publicUrl, `${baseUrl}/api/storage/buckets/${publicBucket}/objects/pub%2Fpic.bin`);
  const response = await fetch(data.publicUrl);
  assert.equal(response.status, 200);
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.from([1, 2, 3]));

  const closed = await fetch(user.storage.from(privateBucket).getPublicUrl('priv/pic.bin').data.publicUrl);
  assert.equal(closed.status, 401);
});

test('createSignedUrl of a private object works without any credential until it expires', async () => {
  await user.storage.from(privateBucket).upload('signed/doc.txt', new Blob(['for your eyes only']));
  const { data, error } = await user.storage.from(privateBucket).createSignedUrl('signed/doc.txt', 60);
  assert.equal(error, null, error?.message);
  assert.ok(data.expiresAt, 'expiresAt is set');
  const expiresIn = (new Date(data.expiresAt).getTime() - Date.now()) / 1000;
  assert.ok(expiresIn > 30 && expiresIn <= 61, `expires in ${expiresIn}s`);
  const response = await fetch(data.signedUrl);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'for your eyes only');

  const many = await user.storage.from(privateBucket).createSignedUrls(['signed/doc.txt', 'signed/missing.txt']);
  assert.equal(many.data[0].error, null);
  assert.ok(many.data[0].signedUrl);
  assert.equal(many.data[1].signedUrl, null);
  assert.ok(many.data[1].error);
});

test('remove deletes one object or many', async () => {
  const bucket = user.storage.from(publicBucket);
  for (const key of ['trash/1.txt', 'trash/2.txt', 'trash/3.txt']) {
    await bucket.upload(key, new Blob([key]));
  }
  const one = await bucket.remove('trash/1.txt');
  assert.equal(one.error, null, one.error?.message);
  assert.deepEqual(one.data, { message: 'Object deleted successfully' });

  const many = await bucket.remove(['trash/2.txt', 'trash/3.txt', 'trash/1.txt']);
  assert.equal(many.error, null, many.error?.message);
  assert.deepEqual(many.data.results.map((r) => r.status), ['deleted', 'deleted', 'notFound']);

  const gone = await bucket.download('trash/2.txt');
  assert.ok(gone.error);
  assert.equal(gone.error.statusCode, 404);
  assert.equal((await bucket.list({ prefix: 'trash/' })).data.pagination.total, 0);
});

test('a private bucket refuses the anon key', async () => {
  await user.storage.from(privateBucket).upload('secret/plan.txt', new Blob(['the plan']));
  const storage = anon.storage.from(privateBucket);

  const download = await storage.download('secret/plan.txt');
  assert.equal(download.data, null);
  assert.equal(download.error.statusCode, 403);

  const upload = await storage.upload('secret/intruder.txt', new Blob(['intruder']));
  assert.equal(upload.data, null);
  assert.equal(upload.error.statusCode, 403);
  assert.equal(upload.error.error, 'STORAGE_PERMISSION_DENIED');

  const list = await storage.list();
  assert.equal(list.data, null);
  assert.equal(list.error.statusCode, 403);

  const remove = await storage.remove('secret/plan.txt');
  assert.equal(remove.error.statusCode, 403);

  const signed = await storage.createSignedUrl('secret/plan.txt');
  assert.equal(signed.data, null);
  assert.equal(signed.error.statusCode, 403);

  // …while public objects stay readable by anon.
  await user.storage.from(publicBucket).upload('open/readme.txt', new Blob(['public']));
  const open = await anon.storage.from(publicBucket).download('open/readme.txt');
  assert.equal(open.error, null, open.error?.message);
  assert.equal(await open.data.text(), 'public');
});

test('bad keys and unknown buckets come back as SDK errors with the contract codes', async () => {
  const traversal = await user.storage.from(publicBucket).upload('../escape.txt', new Blob(['x']));
  assert.equal(traversal.error.statusCode, 400);
  assert.equal(traversal.error.error, 'STORAGE_INVALID_PARAMETER');

  const unknown = await user.storage.from('no-such-bucket').upload('a.txt', new Blob(['x']));
  assert.equal(unknown.error.statusCode, 404);
  assert.equal(unknown.error.error, 'STORAGE_NOT_FOUND');
});
