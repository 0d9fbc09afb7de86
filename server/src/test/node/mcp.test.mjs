// The official @insforge/mcp 1.2.11 stdio server, unchanged, pointed at Anvil: an MCP client
// (@modelcontextprotocol/sdk) spawns it exactly as an agent's host would, lists its tools and calls
// them; every call must come back without an error and with content that shows Anvil answered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const baseUrl = process.env.ANVIL_URL;
const apiKey = process.env.ANVIL_API_KEY;
const anonKey = process.env.ANVIL_ANON_KEY;
const mcpServer = fileURLToPath(new URL('./node_modules/@insforge/mcp/dist/index.js', import.meta.url));
const suffix = randomUUID().slice(0, 8);

let client;
let stderr = '';

async function admin(path, init = {}) {
  const response = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': apiKey, ...init.headers } });
  return { status: response.status, body: await response.json() };
}

/** Calls a tool and returns its text; fails unless the MCP server reported success. */
async function call(name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content.map((part) => part.text).join('\n');
  assert.notEqual(result.isError, true, `${name} failed: ${text}`);
  return { text, result };
}

before(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mcpServer, '--api_key', apiKey, '--api_base_url', baseUrl],
    stderr: 'pipe',
  });
  transport.stderr.on('data', (chunk) => { stderr += chunk; });
  client = new Client({ name: 'anvil-mcp-suite', version: '1.0.0' });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
});

test('the MCP server starts against Anvil: health check passes and the version enables every tool', async () => {
  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name);
  for (const expected of ['fetch-docs', 'fetch-sdk-docs', 'get-anon-key', 'get-table-schema', 'get-backend-metadata',
    'run-raw-sql', 'bulk-upsert', 'create-bucket', 'list-buckets', 'delete-bucket', 'create-function', 'get-function',
    'update-function', 'delete-function', 'get-container-logs']) {
    assert.ok(names.includes(expected), `tool ${expected} missing from ${names.join(', ')}`);
  }
  const health = await (await fetch(`${baseUrl}/api/health`)).json();
  assert.match(stderr, new RegExp(`Backend version: ${health.version.replaceAll('.', '\\.')}`));
  assert.doesNotMatch(stderr, /Skipping tool 'fetch-sdk-docs'/);
});

test('fetch-docs serves Anvil\'s pages, with no legacy instructions appended', async () => {
  const { text, result } = await call('fetch-docs', { docType: 'instructions' });
  assert.equal(result.content.length, 1, 'a backend >= 1.1.7 gets no auto-loaded rules appended');
  assert.match(text, /^# Anvil backend/);
  assert.ok(text.includes(baseUrl), 'the MCP server rewrote http://localhost:7130 to the real base URL');
  assert.doesNotMatch(text, /INSFORGE DEVELOPMENT RULES/);

  for (const docType of ['auth-sdk', 'db-sdk', 'storage-sdk', 'functions-sdk', 'real-time']) {
    assert.match((await call('fetch-docs', { docType })).text, /@insforge\/sdk/);
  }
  assert.match((await call('fetch-docs', { docType: 'ai-integration-sdk' })).text, /not available on Anvil/);
  assert.match((await call('fetch-docs', { docType: 'deployment' })).text, /not available on Anvil/);
});

test('fetch-sdk-docs serves a page per feature and language', async () => {
  const { text } = await call('fetch-sdk-docs', { sdkFeature: 'db', sdkLanguage: 'typescript' });
  assert.match(text, /client\.database|insforge\.database/);
  assert.match((await call('fetch-sdk-docs', { sdkFeature: 'storage', sdkLanguage: 'rest-api' })).text, /\/api\/storage\/buckets/);
  assert.match((await call('fetch-sdk-docs', { sdkFeature: 'auth', sdkLanguage: 'swift' })).text, /not been tested against Anvil/);
  assert.match((await call('fetch-sdk-docs', { sdkFeature: 'ai', sdkLanguage: 'kotlin' })).text, /not available on Anvil/);
});

test('get-anon-key hands out the project\'s anon key', async () => {
  const { text } = await call('get-anon-key');
  assert.ok(text.includes(anonKey), text);
});

test('run-raw-sql, get-table-schema and get-backend-metadata see the same table', async () => {
  const table = `mcp_notes_${suffix}`;
  const created = await call('run-raw-sql', {
    query: `create table public.${table} (id serial primary key, body text not null, done boolean default false);
            alter table public.${table} enable row level security;
            create policy readable on public.${table} for select to anon using (true);`,
  });
  assert.match(created.text, /SQL query executed/);
  const inserted = await call('run-raw-sql', {
    query: `insert into public.${table} (body) values ($1), ($2) returning id, body`,
    params: ['first', 'second'],
  });
  assert.match(inserted.text, /"rowCount": 2/);
  assert.match(inserted.text, /"body": "second"/);

  const schema = await call('get-table-schema', { tableName: table });
  assert.match(schema.text, /Schema retrieved/);
  const parsed = JSON.parse(schema.text.slice(schema.text.indexOf('{')));
  const entry = parsed[table];
  assert.deepEqual(entry.schema.map((column) => column.columnName), ['id', 'body', 'done']);
  assert.equal(entry.rlsEnabled, true);
  assert.equal(entry.policies[0].policyname, 'readable');
  assert.ok(entry.indexes.some((index) => index.isPrimary));

  const metadata = await call('get-backend-metadata');
  assert.match(metadata.text, /^Backend metadata:/);
  const body = JSON.parse(metadata.text.slice(metadata.text.indexOf('{')));
  assert.deepEqual(body.database.tables.find((t) => t.tableName === table), { tableName: table, recordCount: 2 });
  assert.match(body.database.hint, /get-table-schema/);
  for (const slice of ['auth', 'storage', 'functions', 'realtime', 'version']) {
    assert.ok(slice in body, `metadata lacks ${slice}`);
  }
  assert.equal(body.auth.smtpConfig.password, undefined);
});

test('a failing call reports the server\'s message as the tool error', async () => {
  const result = await client.callTool({ name: 'get-table-schema', arguments: { tableName: `missing_${suffix}` } });
  assert.equal(result.isError, true);
  assert.match(result.content[0].text, /Error getting table schema: Table missing_\w+ does not exist in schema public/);

  const refused = await client.callTool({ name: 'run-raw-sql', arguments: { query: 'set role postgres' } });
  assert.equal(refused.isError, true);
  assert.match(refused.content[0].text, /Error executing SQL query: Query contains restricted operations/);
});

test('create-bucket, list-buckets and delete-bucket manage storage', async () => {
  const bucket = `mcp-files-${suffix}`;
  assert.match((await call('create-bucket', { bucketName: bucket, isPublic: false })).text, /Bucket created successfully/);

  const listed = await call('list-buckets');
  assert.match(listed.text, new RegExp(`"name": "${bucket}"`));
  assert.match(listed.text, /"public": false/);

  const metadata = await admin('/api/metadata/storage');
  assert.ok(metadata.body.buckets.some((b) => b.name === bucket && b.public === false));

  assert.match((await call('delete-bucket', { bucketName: bucket })).text, /Bucket deleted successfully/);
  assert.doesNotMatch((await call('list-buckets')).text, new RegExp(bucket));
});

test('get-container-logs reads the server\'s log; sources Anvil lacks explain themselves', async () => {
  const { text } = await call('get-container-logs', { source: 'insforge.logs', limit: 5 });
  assert.match(text, /Latest logs from insforge.logs/);
  assert.match(text, /"logs": \[/);

  const postgrest = await client.callTool({ name: 'get-container-logs', arguments: { source: 'postgREST.logs' } });
  assert.equal(postgrest.isError, true);
  assert.match(postgrest.content[0].text, /not available on this server/);
});

test('every tool call was reported to /api/usage/mcp, failures as failures', async () => {
  let records = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    records = (await admin('/api/usage/mcp?limit=1000')).body.records;
    if (records.some((r) => r.tool_name === 'get-container-logs')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tools = new Set(records.map((r) => r.tool_name));
  for (const tool of ['fetch-docs', 'fetch-sdk-docs', 'get-anon-key', 'run-raw-sql', 'get-table-schema',
    'get-backend-metadata', 'create-bucket', 'list-buckets', 'delete-bucket', 'get-container-logs']) {
    assert.ok(tools.has(tool), `no usage record for ${tool}`);
  }
  assert.ok(records.some((r) => r.tool_name === 'get-table-schema' && r.success === false), 'the failed call counts as failed');
  assert.ok(records.some((r) => r.tool_name === 'get-table-schema' && r.success === true));
});

test('admin actions the agent took are in the audit log as the API key\'s', async () => {
  const audits = await admin('/api/logs/audits?actor=api-key');
  const actions = audits.body.map((record) => record.action);
  assert.ok(actions.includes('EXECUTE_RAW_SQL'));
  assert.ok(actions.includes('CREATE_BUCKET'));
  assert.ok(actions.includes('DELETE_BUCKET'));
});

// The function tools call /api/functions, which the functions domain provides. Where it is not
// mounted (a branch without it), this test says so instead of failing.
test('create-function, get-function, update-function and delete-function manage functions', async (t) => {
  const probe = await fetch(`${baseUrl}/api/functions`, { headers: { 'x-api-key': apiKey } });
  if (probe.status === 404) {
    t.skip('/api/functions is not mounted on this server');
    return;
  }
  const slug = `mcp-hello-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'anvil-mcp-'));
  const codeFile = join(dir, 'hello.js');
  writeFileSync(codeFile, `module.exports = async function () { console.log('said hello ${suffix}'); `
    + 'return new Response(JSON.stringify({ hello: "anvil" }), { headers: { "Content-Type": "application/json" } }); };\n');

  assert.match((await call('create-function', { slug, name: 'Hello', codeFile, description: 'says hello', status: 'active' })).text,
    new RegExp(slug));
  assert.match((await call('get-function', { slug })).text, /hello: "anvil"|hello: \\"anvil\\"/);
  const invoked = await fetch(`${baseUrl}/functions/${slug}`, { headers: { Authorization: `Bearer ${anonKey}` } });
  assert.deepEqual(await invoked.json(), { hello: 'anvil' });
  let functionLogs = '';
  for (let attempt = 0; attempt < 50 && !functionLogs.includes(`said hello ${suffix}`); attempt++) {
    functionLogs = (await call('get-container-logs', { source: 'function.logs', limit: 100 })).text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(functionLogs.includes(`said hello ${suffix}`), `function output not in function.logs: ${functionLogs}`);

  writeFileSync(codeFile, 'module.exports = async function () { return new Response("updated"); };\n');
  assert.match((await call('update-function', { slug, codeFile, description: 'updated' })).text, new RegExp(slug));
  assert.equal(await (await fetch(`${baseUrl}/functions/${slug}`, { method: 'POST', body: '{}' })).text(), 'updated');
  assert.match((await call('get-backend-metadata')).text, new RegExp(`"slug": "${slug}"`));
  assert.match((await call('delete-function', { slug })).text, new RegExp(slug));
});
