// The official clients against the records engine, unchanged: @insforge/sdk 1.5.2's database
// module (which rewrites postgrest-js URLs to /api/database/records and /api/database/rpc) and
// @supabase/postgrest-js used directly, both on InsForge's routes and on the PostgREST-wire mount.
// The Java side (RecordsNodeSuiteTest) creates the tables and passes keys and user tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createClient } from '@insforge/sdk';
import { PostgrestClient } from '@supabase/postgrest-js';

const baseUrl = process.env.ANVIL_URL;
const anonKey = process.env.ANVIL_ANON_KEY;
const apiKey = process.env.ANVIL_API_KEY;
const userA = { id: process.env.USER_A_ID, token: process.env.USER_A_TOKEN };
const userB = { id: process.env.USER_B_ID, token: process.env.USER_B_TOKEN };

const admin = createClient({ baseUrl, anonKey, accessToken: apiKey });
const asA = createClient({ baseUrl, anonKey, accessToken: userA.token });
const asB = createClient({ baseUrl, anonKey, accessToken: userB.token });
const anon = createClient({ baseUrl, anonKey });

function ok(result) {
  assert.equal(result.error, null, JSON.stringify(result.error));
  return result;
}

test('select with columns, order, filters', async () => {
  const { data } = ok(await admin.database.from('films').select('id, title').order('id'));
  assert.deepEqual(data.map((f) => f.title), ['Memento', 'Inception', 'Lady Bird', 'Parasite', 'Untitled']);
  const gt = ok(await admin.database.from('films').select('id').gt('year', 2010).order('id'));
  assert.deepEqual(gt.data, [{ id: 3 }, { id: 4 }]);
  const filtered = ok(await admin.database.from('films').select('id')
    .in('title', ['Memento', 'Lady Bird', 'Inception']).like('title', '%e%').not('year', 'is', null)
    .order('id', { ascending: false }));
  assert.deepEqual(filtered.data, [{ id: 2 }, { id: 1 }]);
  const ors = ok(await admin.database.from('films').select('id').or('year.eq.2000,and(language.eq.ko,rating.gt.8)').order('id'));
  assert.deepEqual(ors.data, [{ id: 1 }, { id: 4 }]);
  const contains = ok(await admin.database.from('films').select('id').contains('tags', ['thriller']).order('id'));
  assert.deepEqual(contains.data, [{ id: 1 }, { id: 2 }, { id: 4 }]);
  const json = ok(await admin.database.from('films').select('id').contains('meta', { budget: 9 }));
  assert.deepEqual(json.data, [{ id: 1 }]);
  const ilike = ok(await admin.database.from('films').select('title').ilike('title', 'in%'));
  assert.deepEqual(ilike.data, [{ title: 'Inception' }]);
  const fts = ok(await admin.database.from('films').select('id').textSearch('summary', 'dream & sharing', { config: 'english' }));
  assert.deepEqual(fts.data, [{ id: 2 }]);
  const match = ok(await admin.database.from('films').select('id').match({ language: 'ko', year: 2019 }));
  assert.deepEqual(match.data, [{ id: 4 }]);
  const isNull = ok(await admin.database.from('films').select('id').is('year', null));
  assert.deepEqual(isNull.data, [{ id: 5 }]);
  const nullsFirst = ok(await admin.database.from('films').select('id').order('year', { ascending: false, nullsFirst: true }).limit(2));
  assert.deepEqual(nullsFirst.data, [{ id: 5 }, { id: 4 }]);
});

test('embedding, spreads and filters on embedded resources', async () => {
  const { data } = ok(await admin.database.from('films').select('title, directors(last_name), actors(first_name)')
    .eq('id', 2).order('first_name', { referencedTable: 'actors' }));
  assert.deepEqual(data, [{ title: 'Inception', directors: { last_name: 'Nolan' },
    actors: [{ first_name: 'Elliot' }, { first_name: 'Leonardo' }] }]);
  const inner = ok(await admin.database.from('films').select('title, directors!inner(last_name)')
    .eq('directors.last_name', 'Gerwig'));
  assert.deepEqual(inner.data, [{ title: 'Lady Bird', directors: { last_name: 'Gerwig' } }]);
  const spread = ok(await admin.database.from('films').select('title, ...directors(last_name)').eq('id', 4));
  assert.deepEqual(spread.data, [{ title: 'Parasite', last_name: 'Joon-ho' }]);
  const limited = ok(await admin.database.from('directors').select('last_name, films(title)').eq('id', 1)
    .limit(1, { referencedTable: 'films' }).order('year', { referencedTable: 'films', ascending: false }));
  assert.deepEqual(limited.data, [{ last_name: 'Nolan', films: [{ title: 'Inception' }] }]);
});

test('range with exact count, head count', async () => {
  const page = ok(await admin.database.from('films').select('id', { count: 'exact' }).order('id').range(1, 2));
  assert.equal(page.status, 206);
  assert.equal(page.count, 5);
  assert.deepEqual(page.data, [{ id: 2 }, { id: 3 }]);
  const head = ok(await admin.database.from('films').select('*', { count: 'exact', head: true }).gte('year', 2010));
  assert.equal(head.count, 3);
  assert.equal(head.data, null);
  const planned = ok(await admin.database.from('films').select('id', { count: 'planned' }).limit(1));
  assert.equal(typeof planned.count, 'number');
});

test('single and maybeSingle', async () => {
  const one = ok(await admin.database.from('directors').select('first_name').eq('id', 2).single());
  assert.deepEqual(one.data, { first_name: 'Greta' });
  const many = await admin.database.from('directors').select('id').single();
  assert.equal(many.error.code, 'PGRST116');
  assert.equal(many.status, 406);
  const none = ok(await admin.database.from('directors').select('id').eq('id', 99).maybeSingle());
  assert.equal(none.data, null);
  const some = ok(await admin.database.from('directors').select('id').eq('id', 3).maybeSingle());
  assert.deepEqual(some.data, { id: 3 });
});

test('insert, update, upsert, delete', async () => {
  const plain = ok(await admin.database.from('items').insert({ name: 'sdk-plain' }));
  assert.equal(plain.status, 201);
  assert.deepEqual(plain.data, []); // InsForge turns PostgREST's empty body into []
  const inserted = ok(await admin.database.from('items').insert([{ name: 'sdk-1', price: 2, code: 'S1' },
    { name: 'sdk-2', price: 3, code: 'S2' }]).select('name, price'));
  assert.deepEqual(inserted.data, [{ name: 'sdk-1', price: 2 }, { name: 'sdk-2', price: 3 }]);
  const single = ok(await admin.database.from('items').insert({ name: 'sdk-3', price: '' }).select('name, price').single());
  assert.deepEqual(single.data, { name: 'sdk-3', price: 0 }); // "" dropped for a numeric column
  const updated = ok(await admin.database.from('items').update({ qty: 9 }).eq('code', 'S1').select('code, qty'));
  assert.deepEqual(updated.data, [{ code: 'S1', qty: 9 }]);
  const upserted = ok(await admin.database.from('items').upsert({ name: 'sdk-1b', code: 'S1', price: 5 }, { onConflict: 'code' })
    .select('name, code, price'));
  assert.deepEqual(upserted.data, [{ name: 'sdk-1b', code: 'S1', price: 5 }]);
  const ignored = ok(await admin.database.from('items').upsert({ name: 'dup', code: 'S2' }, { onConflict: 'code', ignoreDuplicates: true })
    .select());
  assert.deepEqual(ignored.data, []);
  const deleted = ok(await admin.database.from('items').delete({ count: 'exact' }).in('code', ['S1', 'S2']));
  assert.equal(deleted.count, 2);
  assert.equal(deleted.status, 204);
  const duplicate = await admin.database.from('items').insert([{ name: 'a', code: 'D' }, { name: 'b', code: 'D' }]);
  assert.equal(duplicate.error.code, '23505');
  assert.equal(duplicate.status, 409);
  const rolledBack = ok(await admin.database.from('items').insert({ name: 'ghost' }).select('name').rollback());
  assert.deepEqual(rolledBack.data, [{ name: 'ghost' }]);
  const ghosts = ok(await admin.database.from('items').select('id').eq('name', 'ghost'));
  assert.deepEqual(ghosts.data, []);
});

test('rpc by POST, GET and HEAD', async () => {
  assert.equal(ok(await admin.database.rpc('add', { a: 1, b: 2 })).data, 3);
  const rows = ok(await admin.database.rpc('films_after', { after: 2010 }, { get: true }).select('title').order('year'));
  assert.deepEqual(rows.data, [{ title: 'Lady Bird' }, { title: 'Parasite' }]);
  const counted = ok(await admin.database.rpc('films_after', { after: 0 }, { head: true, count: 'exact' }));
  assert.equal(counted.count, 4);
  assert.deepEqual(ok(await admin.database.rpc('years')).data, [2000, 2010, 2017, 2019]);
  const voided = ok(await admin.database.rpc('ping'));
  assert.equal(voided.status, 204);
  assert.equal(ok(await admin.database.rpc('sum_all', { nums: [1, 2, 3] }, { get: true })).data, 6);
  const missing = await admin.database.rpc('nope', { x: 1 });
  assert.equal(missing.error.code, 'PGRST202');
  assert.equal(ok(await asA.database.rpc('whoami')).data, 'authenticated');
  assert.equal(ok(await anon.database.rpc('whoami')).data, 'anon');
});

test('schemas: database.schema() and createClient({db: {schema}})', async () => {
  const viaSchema = ok(await admin.database.schema('analytics').from('events').select('kind').eq('id', 1));
  assert.deepEqual(viaSchema.data, [{ kind: 'click' }]);
  const scoped = createClient({ baseUrl, anonKey, accessToken: apiKey, db: { schema: 'analytics' } });
  const inserted = ok(await scoped.database.from('events').insert({ id: 10, kind: 'sdk' }).select('id'));
  assert.deepEqual(inserted.data, [{ id: 10 }]);
  const bad = await admin.database.schema('auth').from('users').select();
  assert.equal(bad.error.code, 'PGRST106');
});

test('row-level security: users see and change only their own rows', async () => {
  ok(await asA.database.from('todos').insert([{ title: 'a1' }, { title: 'a2' }]));
  ok(await asB.database.from('todos').insert({ title: 'b1' }));
  assert.deepEqual(ok(await asA.database.from('todos').select('title').order('title')).data.map((t) => t.title), ['a1', 'a2']);
  assert.deepEqual(ok(await asB.database.from('todos').select('title')).data.map((t) => t.title), ['b1']);
  assert.deepEqual(ok(await anon.database.from('todos').select('title')).data, []);
  const hijack = ok(await asA.database.from('todos').update({ title: 'mine now' }).eq('title', 'b1').select());
  assert.deepEqual(hijack.data, []);
  const removal = ok(await asA.database.from('todos').delete().eq('title', 'b1').select());
  assert.deepEqual(removal.data, []);
  const forged = await asA.database.from('todos').insert({ title: 'forged', user_id: userB.id });
  assert.equal(forged.error.code, '42501');
  assert.equal(forged.status, 403);
  const anonVault = await anon.database.from('vault').select();
  assert.equal(anonVault.status, 401);
  assert.equal(anonVault.error.code, '42501');
  const userVault = await asA.database.from('vault').select();
  assert.equal(userVault.status, 403);
});

test('errors keep PostgREST shape; csv', async () => {
  const missing = await admin.database.from('nope').select();
  assert.equal(missing.status, 404);
  assert.equal(missing.error.code, '42P01');
  const badFilter = await admin.database.from('films').select().filter('year', 'nope', 1);
  assert.equal(badFilter.error.code, 'PGRST100');
  const csv = ok(await admin.database.from('directors').select('id,last_name').order('id').csv());
  assert.equal(csv.data, 'id,last_name\n1,Nolan\n2,Gerwig\n3,Joon-ho');
});

function hs256(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${crypto.createHmac('sha256', process.env.JWT_SECRET).update(body).digest('base64url')}`;
}

test('postgrest-js directly on the PostgREST-wire mount', async () => {
  const url = `${baseUrl}${process.env.WIRE_PATH}`;
  const pg = new PostgrestClient(url, { headers: { Authorization: `Bearer ${hs256({ role: 'project_admin', sub: 'admin' })}` } });
  const films = ok(await pg.from('films').select('title, directors(last_name)').eq('id', 1).single());
  assert.deepEqual(films.data, { title: 'Memento', directors: { last_name: 'Nolan' } });
  const created = ok(await pg.from('items').insert({ name: 'wire' }).select('name'));
  assert.deepEqual(created.data, [{ name: 'wire' }]);
  const plain = ok(await pg.from('items').insert({ name: 'wire2' }));
  assert.equal(plain.data, null); // PostgREST's own wire: no InsForge [] rewriting
  assert.equal(ok(await pg.rpc('add', { a: 5, b: 6 })).data, 11);
  const events = ok(await pg.schema('analytics').from('events').select('id', { count: 'exact', head: true }));
  assert.ok(events.count >= 1);
  const user = new PostgrestClient(url, { headers: { Authorization: `Bearer ${hs256({ role: 'authenticated', sub: userA.id })}` } });
  assert.deepEqual(ok(await user.from('todos').select('title').order('title')).data.map((t) => t.title), ['a1', 'a2']);
  const anonymous = new PostgrestClient(url);
  assert.deepEqual(ok(await anonymous.from('todos').select()).data, []);
});

test('postgrest-js directly on the InsForge records route', async () => {
  const pg = new PostgrestClient(`${baseUrl}/api/database/records`, { headers: { Authorization: `Bearer ${apiKey}` } });
  const { data } = ok(await pg.from('directors').select('last_name').order('id').limit(1));
  assert.deepEqual(data, [{ last_name: 'Nolan' }]);
  const inserted = ok(await pg.from('items').insert({ name: 'direct' }));
  assert.deepEqual(inserted.data, []);
});
