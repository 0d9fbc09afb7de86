// The database admin API as @insforge/mcp and the SDK's HTTP client use it: the admin key as
// x-api-key, tables created and read back, raw SQL with params, errors as InsForgeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@insforge/sdk';

const baseUrl = process.env.ANVIL_URL;
const apiKey = process.env.ANVIL_API_KEY;
const http = createClient({ baseUrl, headers: { 'x-api-key': apiKey } }).getHttpClient();
const table = `mcp_notes_${Date.now()}`;

// What @insforge/mcp's run-raw-sql tool sends: fetch, x-api-key, { query, params }.
async function runRawSql(query, params = []) {
  const response = await fetch(`${baseUrl}/api/database/advance/rawsql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, params }),
  });
  const body = await response.json();
  return { status: response.status, body };
}

test('create a table through the SDK http client', async () => {
  const created = await http.post('/api/database/tables', {
    tableName: table,
    columns: [
      { columnName: 'title', type: 'string', isNullable: false, isUnique: false },
      { columnName: 'stars', type: 'integer', isNullable: true, isUnique: false, defaultValue: '0' },
      { columnName: 'meta', type: 'json', isNullable: true, isUnique: false },
    ],
  });
  assert.equal(created.tableName, table);
  assert.equal(created.message, 'table created successfully');
  assert.deepEqual(created.autoFields, ['id', 'created_at', 'updated_at']);
  assert.deepEqual(created.columns.map((c) => c.sqlType), ['TEXT', 'INTEGER', 'JSONB']);

  const tables = await http.get('/api/database/tables');
  assert.ok(tables.includes(table));
});

test('run raw SQL the way the MCP server does', async () => {
  const insert = await runRawSql(
    `insert into ${table} (title, stars, meta) values ($1, $2, $3) returning title, stars, meta, created_at`,
    ['hello', 5, { tags: ['a'] }],
  );
  assert.equal(insert.status, 200, JSON.stringify(insert.body));
  assert.equal(insert.body.rowCount, 1);
  assert.deepEqual(insert.body.rows[0].meta, { tags: ['a'] });
  assert.equal(insert.body.rows[0].stars, 5);
  assert.match(insert.body.rows[0].created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.deepEqual(insert.body.fields.map((f) => f.name), ['title', 'stars', 'meta', 'created_at']);

  const count = await runRawSql(`select count(*)::int as n from ${table} where title = $1`, ['hello']);
  assert.deepEqual(count.body.rows, [{ n: 1 }]);
  assert.deepEqual(count.body.fields, [{ name: 'n', dataTypeID: 23 }]);
});

test('read the schema back', async () => {
  const schema = await http.get(`/api/database/tables/${table}/schema`);
  assert.equal(schema.tableName, table);
  assert.equal(schema.recordCount, 1);
  const byName = Object.fromEntries(schema.columns.map((c) => [c.columnName, c]));
  assert.equal(byName.title.type, 'string');
  assert.equal(byName.title.isNullable, false);
  assert.equal(byName.stars.defaultValue, '0');
  assert.equal(byName.meta.type, 'json');
  assert.equal(byName.id.isPrimaryKey, true);
  assert.deepEqual(schema.foreignKeys, []);
});

test('change the table and see the change', async () => {
  const changed = await http.patch(`/api/database/tables/${table}/schema`, {
    addColumns: [{ columnName: 'done', type: 'boolean', isNullable: true, isUnique: false, defaultValue: 'false' }],
  });
  assert.deepEqual(changed.operations, ['Added column: done']);
  const schema = await http.get(`/api/database/tables/${table}/schema`);
  assert.ok(schema.columns.some((c) => c.columnName === 'done' && c.type === 'boolean'));
});

test('a restricted statement is an InsForgeError 403 FORBIDDEN', async () => {
  await assert.rejects(http.post('/api/database/advance/rawsql', { query: 'select 1; set role postgres' }), (error) => {
    assert.equal(error.name, 'InsForgeError');
    assert.equal(error.statusCode, 403);
    assert.equal(error.error, 'FORBIDDEN');
    assert.match(error.message, /^Query contains restricted operations/);
    return true;
  });
  const viaFetch = await runRawSql('reset role');
  assert.equal(viaFetch.status, 403);
  assert.match(viaFetch.body.message ?? viaFetch.body.error, /restricted operations/);
});

test('database errors carry the contract codes', async () => {
  await assert.rejects(
    http.post('/api/database/tables', {
      tableName: table,
      columns: [{ columnName: 'x', type: 'string', isNullable: true, isUnique: false }],
    }),
    (error) => error.statusCode === 400 && error.error === 'DATABASE_DUPLICATE',
  );
  const missing = await runRawSql('select * from no_such_table_here');
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error, 'DATABASE_VALIDATION_ERROR');
});

test('unrestricted raw SQL runs as the owner', async () => {
  const result = await http.post('/api/database/advance/rawsql/unrestricted', {
    query: 'select count(*) as n from auth.users',
  });
  assert.equal(typeof result.rows[0].n, 'string'); // bigint stays a string, as node-pg returns it
});

test('bulk-upsert a CSV file the way the MCP bulk-upsert tool does', async () => {
  const form = new FormData(); // the file first, then the fields, as @insforge/mcp appends them
  form.append('file', new Blob(['title,stars\nfrom-csv,7\n"with, comma",8\n'], { type: 'text/csv' }), 'notes.csv');
  form.append('table', table);
  const response = await fetch(`${baseUrl}/api/database/advance/bulk-upsert`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey },
    body: form,
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.success, true);
  assert.equal(body.rowsAffected, 2);
  assert.equal(body.totalRecords, 2);
  assert.equal(body.filename, 'notes.csv');
  const check = await runRawSql(`select stars from ${table} where title = $1`, ['with, comma']);
  assert.deepEqual(check.body.rows, [{ stars: 8 }]);
});

test('delete the table', async () => {
  const deleted = await http.delete(`/api/database/tables/${table}`);
  assert.equal(deleted.message, 'table deleted successfully');
  const tables = await http.get('/api/database/tables');
  assert.ok(!tables.includes(table));
});
