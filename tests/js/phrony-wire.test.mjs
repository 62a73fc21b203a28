// Wire check of Skein's public API from a non-.NET client: a small fetch-based client that talks the way
// the @phrony/sdk TypeScript client does (X-API-Key header, JSON bodies, SSE split on "\n\n").
// Run by tests/Skein.Server.Tests/Wire/NodeClientTests.cs; needs Node 18+ (fetch, node:test) and no npm packages.
// Env: SKEIN_BASE_URL, SKEIN_API_KEY (scoped to `demo` and the chat agent), SKEIN_CHAT_AGENT_ID (multi_turn agent),
// SKEIN_DEMO_API_KEY (the seeded key, scoped to every demo agent: `demo-hitl` answers an approval).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const baseUrl = requiredEnv('SKEIN_BASE_URL').replace(/\/+$/, '');
const apiKey = requiredEnv('SKEIN_API_KEY');
const chatAgentId = requiredEnv('SKEIN_CHAT_AGENT_ID');
const demoApiKey = requiredEnv('SKEIN_DEMO_API_KEY');
const deadlineMs = 30_000;

const slimDropped = ['session_id', 'run_id', 'tenant_id', 'agent_id', 'agent_version_id', 'event_id'];
const syntheticTypes = new Set(['RunCompleted', 'SessionCompleted']);

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** A thin client over fetch: every answer is returned with its status so tests can check errors too. */
class WireClient {
  constructor(url, key) {
    this.url = url;
    this.key = key;
  }

  async call(method, path, body, options = {}) {
    const key = 'key' in options ? options.key : this.key;
    const headers = { Accept: 'application/json' };
    if (key !== undefined) headers['X-API-Key'] = key;
    const init = { method, headers, signal: AbortSignal.timeout(deadlineMs) };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(this.url + path, init);
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    let json;
    if (text.length > 0) {
      assert.match(contentType, /^application\/(problem\+)?json/, `${method} ${path} answered ${response.status} with ${contentType}: ${text}`);
      json = JSON.parse(text);
    }
    return { status: response.status, contentType, json };
  }

  async ok(method, path, body, expectedStatus = 200) {
    const answer = await this.call(method, path, body);
    assert.equal(answer.status, expectedStatus, `${method} ${path}: ${JSON.stringify(answer.json)}`);
    return answer.json;
  }

  listAgents() { return this.ok('GET', '/v1/agents'); }

  startRun(agentId, input) { return this.ok('POST', `/v1/agents/${agentId}/runs`, { input }, 202); }

  getRun(runId) { return this.ok('GET', `/v1/runs/${runId}`); }

  listSessions(agentId, { skip = 0, take = 20, versionId } = {}) {
    const query = new URLSearchParams({ skip: String(skip), take: String(take) });
    if (versionId) query.set('versionId', versionId);
    return this.ok('GET', `/v1/agents/${agentId}/sessions?${query}`);
  }

  getConversation(runId, stepContent) { return this.ok('GET', `/v1/runs/${runId}/conversation?stepContent=${stepContent}`); }

  sendRunMessage(runId, message) { return this.ok('POST', `/v1/runs/${runId}/messages`, { runId, ...message }, 202); }

  /** The raw SSE body of a finished session: the server closes the stream after engine.session.completed. */
  async streamRaw(runId) {
    const response = await fetch(`${this.url}/v1/runs/${runId}/stream`, {
      headers: { 'X-API-Key': this.key, Accept: 'text/event-stream' },
      signal: AbortSignal.timeout(deadlineMs),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    return response.text();
  }
}

/** Parses SSE the way the Phrony client does: events split on "\n\n", JSON in `data:` lines. */
function parseEvents(raw) {
  const events = [];
  for (const block of raw.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line.length > 0 && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const id = lines.find((line) => line.startsWith('id:'))?.slice(3).trim();
    const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
    if (data.length === 0) continue;
    events.push({ id: id === undefined ? undefined : Number(id), event: JSON.parse(data) });
  }
  return events;
}

async function waitForStatus(client, runId, wanted) {
  const until = Date.now() + deadlineMs;
  let run;
  while (Date.now() < until) {
    run = await client.getRun(runId);
    if (wanted.includes(run.status)) return run;
    if (['Failed', 'Terminated'].includes(run.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`run ${runId} did not reach ${wanted.join('/')}; last: ${JSON.stringify(run)}`);
}

const client = new WireClient(baseUrl, apiKey);

test('request-mode demo: start, poll, conversation, sessions, stream', async (t) => {
  const { items: agents } = await client.listAgents();
  const demo = agents.find((a) => a.name === 'demo');
  assert.ok(demo, `the key sees the demo agent: ${JSON.stringify(agents)}`);
  assert.equal(demo.executionMode, 'Request');

  const started = await client.startRun(demo.id, { question: 'wire check' });
  for (const field of ['sessionId', 'runId', 'status', 'totalTokensUsed', 'output', 'agentId', 'triggerId']) {
    assert.ok(field in started, `startRun answer has ${field}: ${JSON.stringify(started)}`);
  }
  assert.equal(started.agentId, demo.id);
  assert.equal(typeof started.totalTokensUsed, 'number');
  assert.equal(typeof started.triggerId, 'string');
  const { runId, sessionId } = started;

  const finished = await waitForStatus(client, runId, ['Completed']);
  assert.equal(finished.runId, runId);
  assert.ok('output' in finished && finished.output !== null, 'a completed run has output');

  await t.test('conversation, full and slim', async () => {
    const full = await client.getConversation(runId, 'full');
    assert.equal(full.session.id, sessionId);
    assert.deepEqual(full.runs.map((r) => r.id), [runId]);
    assert.deepEqual(full.items.map((i) => i.ordinal), full.items.map((_, index) => index + 1));
    for (const item of full.items) {
      for (const field of ['runId', 'id', 'sequence', 'ordinal', 'type', 'content', 'tokensUsed', 'error', 'startedAt', 'finishedAt']) {
        assert.ok(field in item, `item ${item.ordinal} has ${field}`);
      }
    }
    const types = full.items.map((i) => i.type);
    for (const type of ['llm_request_prepared', 'reasoning', 'ToolCall', 'ToolResult', 'output', 'RunCompleted', 'SessionCompleted']) {
      assert.ok(types.includes(type), `timeline has ${type}: ${types.join(', ')}`);
    }
    assert.equal(types.at(-1), 'SessionCompleted');
    const fullStep = full.items.find((i) => i.type === 'reasoning');
    assert.equal(fullStep.content.run_id, runId);
    assert.equal(fullStep.content.session_id, sessionId);

    const slim = await client.getConversation(runId, 'slim');
    assert.deepEqual(slim.items.map((i) => [i.ordinal, i.type]), full.items.map((i) => [i.ordinal, i.type]));
    for (const item of slim.items.filter((i) => !syntheticTypes.has(i.type))) {
      if (item.content === null || typeof item.content !== 'object') continue;
      for (const key of slimDropped) assert.ok(!(key in item.content), `slim ${item.type} content drops ${key}`);
    }
  });

  await t.test('listSessions finds the session', async () => {
    const page = await client.listSessions(demo.id, { skip: 0, take: 10, versionId: demo.deployedVersionId });
    assert.ok(page.total >= 1, `total: ${page.total}`);
    assert.ok(page.items.some((s) => s.id === sessionId), 'the new session is listed');
  });

  await t.test('stream: LF-only frames of {ts, kind, subject, data}', async () => {
    const raw = await client.streamRaw(runId);
    assert.ok(!raw.includes('\r'), 'no CR anywhere in the stream');
    const events = parseEvents(raw);
    assert.ok(events.length > 0, 'events were sent');
    for (const { event } of events) {
      for (const field of ['ts', 'kind', 'subject', 'data']) assert.ok(field in event, `event has ${field}: ${JSON.stringify(event)}`);
      assert.ok(['session', 'run', 'step', 'user_task', 'aitl'].includes(event.kind), `kind ${event.kind}`);
      assert.ok(event.subject.startsWith('engine.'), `subject ${event.subject}`);
      assert.ok(!Number.isNaN(Date.parse(event.ts)), `ts ${event.ts}`);
    }
    const subjects = events.map((e) => e.event.subject);
    assert.equal(subjects[0], 'engine.session.started');
    assert.ok(subjects.includes('engine.run.started'));
    assert.ok(subjects.some((s) => s.startsWith('engine.step.')));
    assert.equal(subjects.at(-1), 'engine.session.completed');
    const ids = events.map((e) => e.id);
    ids.forEach((id, i) => {
      assert.ok(Number.isInteger(id), `event ${i} has a numeric id`);
      if (i > 0) assert.ok(id > ids[i - 1], `ids increase: ${ids[i - 1]} then ${id}`);
    });
  });
});

test('multi-turn agent: answer, user message, second answer', async () => {
  const started = await client.startRun(chatAgentId, {});
  const { runId } = started;
  await waitForStatus(client, runId, ['WaitingForResponse']);

  const accepted = await client.sendRunMessage(runId, { text: 'Please note my order number 42.' });
  assert.equal(typeof accepted.status, 'string');

  const until = Date.now() + deadlineMs;
  let conversation;
  while (Date.now() < until) {
    const run = await client.getRun(runId);
    conversation = await client.getConversation(runId, 'full');
    const outputs = conversation.items.filter((i) => i.type === 'output').length;
    if (run.status === 'WaitingForResponse' && outputs === 2) break;
    assert.ok(!['Failed', 'Terminated', 'Completed'].includes(run.status), `run ended early: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const types = conversation.items.map((i) => i.type);
  assert.equal(types.filter((t) => t === 'output').length, 2, `two answers: ${types.join(', ')}`);
  assert.ok(types.includes('user_message'), `the user message is on the timeline: ${types.join(', ')}`);
  assert.ok(types.indexOf('user_message') < types.lastIndexOf('output'), 'the second answer follows the message');
});

test('errors are JSON problems', async () => {
  const unknown = await client.call('GET', `/v1/runs/${randomUUID()}`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.contentType, /^application\/problem\+json/);
  assert.equal(unknown.json.status, 404);

  // SPEC section 4: errors always carry a detail saying what was wrong.
  assert.match(unknown.json.detail, /^unknown run /);

  const anonymous = await client.call('GET', '/v1/agents', undefined, { key: undefined });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.json.status, 401);
  assert.match(anonymous.json.detail, /missing API key/);

  const wrongKey = await client.call('GET', '/v1/agents', undefined, { key: 'phk_not_a_key_of_this_server' });
  assert.equal(wrongKey.status, 401);
  assert.equal(wrongKey.json.detail, 'unknown API key');

  const badInput = await client.call('POST', `/v1/agents/${chatAgentId}/runs`, { input: 42 });
  assert.equal(badInput.status, 400);
  assert.equal(badInput.json.status, 400);
  assert.equal(typeof badInput.json.detail, 'string');
});

test('HITL demo: a userTaskId without approved approves (Phrony default)', async () => {
  const demo = new WireClient(baseUrl, demoApiKey);
  const { items: agents } = await demo.listAgents();
  const hitl = agents.find((a) => a.name === 'demo-hitl');
  assert.ok(hitl, `the demo key sees demo-hitl: ${JSON.stringify(agents)}`);

  const { runId } = await demo.startRun(hitl.id, {});
  await waitForStatus(demo, runId, ['WaitingForHITL']);
  const conversation = await demo.getConversation(runId, 'full');
  const request = conversation.items.find((i) => i.type === 'UserTaskReq');
  assert.ok(request, `the run waits on a user task: ${conversation.items.map((i) => i.type).join(', ')}`);

  const accepted = await demo.sendRunMessage(runId, { userTaskId: request.content.user_task_id });
  assert.equal(typeof accepted.status, 'string');
  await waitForStatus(demo, runId, ['Completed']);
});
