// A run tree read by a non-.NET client (SPEC section 9): starts the seeded `demo-team`, follows the stream by the
// root run id while it runs, sees `engine.subagent.spawned` and the child's own events, then reads the whole
// conversation by the child's run id. Shaped like @phrony/sdk (X-API-Key, JSON bodies, SSE split on "\n\n").
// Run by tests/Skein.Server.Tests/Wire/NodeMultiAgentTests.cs; needs Node 18+ and no npm packages.
// Env: SKEIN_BASE_URL, SKEIN_API_KEY (the demo key: scoped to demo-team).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const baseUrl = requiredEnv('SKEIN_BASE_URL').replace(/\/+$/, '');
const apiKey = requiredEnv('SKEIN_API_KEY');
const deadlineMs = 60_000;

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json', 'X-API-Key': apiKey };
  const init = { method, headers, signal: AbortSignal.timeout(deadlineMs) };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(baseUrl + path, init);
  const text = await response.text();
  return { status: response.status, json: text.length > 0 ? JSON.parse(text) : undefined };
}

async function ok(method, path, body, expected = 200) {
  const answer = await call(method, path, body);
  assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.json)}`);
  return answer.json;
}

/** Follows /v1/runs/{id}/stream as it arrives, event by event (split on "\n\n"), until the server closes it. */
async function follow(runId) {
  const response = await fetch(`${baseUrl}/v1/runs/${runId}/stream`, {
    headers: { 'X-API-Key': apiKey, Accept: 'text/event-stream' },
    signal: AbortSignal.timeout(deadlineMs),
  });
  assert.equal(response.status, 200);
  const events = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data.length > 0) events.push(JSON.parse(data));
    }
  }
  return events;
}

const runOf = (event) => event.data?.run_id ?? event.data?.runId;

test('demo-team: the stream of the root run carries the child, and the child run id reads the tree', async () => {
  const { items: agents } = await ok('GET', '/v1/agents');
  const team = agents.find((a) => a.name === 'demo-team');
  assert.ok(team, `the key sees demo-team: ${JSON.stringify(agents)}`);
  assert.ok(!agents.some((a) => a.name === 'demo-researcher'), 'a sub-agent is not startable, so not listed');

  const started = await ok('POST', `/v1/agents/${team.id}/runs`, { input: {} }, 202);
  const rootRunId = started.runId;
  const events = await follow(rootRunId);

  const subjects = events.map((e) => e.subject);
  assert.equal(subjects.at(-1), 'engine.session.completed', subjects.join(', '));
  const spawned = events.find((e) => e.subject === 'engine.subagent.spawned');
  assert.ok(spawned, `the stream announces the child: ${subjects.join(', ')}`);
  assert.equal(spawned.kind, 'run');
  const childRunId = runOf(spawned);
  assert.ok(childRunId && childRunId !== rootRunId, JSON.stringify(spawned));
  // SPEC section 9 names the spawned event's fields: runId (the child), parentRunId, depth, agentId.
  assert.equal(spawned.data.runId, childRunId, JSON.stringify(spawned));
  assert.equal(spawned.data.parentRunId, rootRunId, JSON.stringify(spawned));
  assert.equal(spawned.data.depth, 1, JSON.stringify(spawned));
  assert.ok(spawned.data.agentId, JSON.stringify(spawned));
  const childEvents = events.filter((e) => runOf(e) === childRunId && e !== spawned);
  assert.ok(childEvents.some((e) => e.kind === 'step'), 'the child\'s own steps are on the root\'s stream');
  assert.ok(events.some((e) => e.kind === 'aitl' && e.subject === 'engine.aitl.requested'), subjects.join(', '));
  assert.ok(events.some((e) => e.kind === 'aitl' && e.subject === 'engine.aitl.resolved'), subjects.join(', '));

  const child = await ok('GET', `/v1/runs/${childRunId}`);
  assert.equal(child.status, 'Completed');
  const conversation = await ok('GET', `/v1/runs/${childRunId}/conversation?stepContent=slim`);
  assert.equal(conversation.session.rootRunId, rootRunId);
  const byId = new Map(conversation.runs.map((r) => [r.id, r]));
  assert.equal(byId.get(rootRunId)?.depth, 0);
  assert.equal(byId.get(childRunId)?.depth, 1);
  assert.equal(byId.get(childRunId)?.parentRunId, rootRunId);
  const types = conversation.items.map((i) => i.type);
  for (const type of ['SubAgentCall', 'AitlRequest', 'AitlReceived', 'AitlResponse', 'AitlResolved', 'SubAgentResult']) {
    assert.ok(types.includes(type), `the merged timeline has ${type}: ${types.join(', ')}`);
  }
  assert.deepEqual(conversation.items.map((i) => i.ordinal), conversation.items.map((_, n) => n + 1));
  assert.ok(conversation.items.some((i) => i.runId === childRunId), 'items are merged across the tree');
});
