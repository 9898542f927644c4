// Server error bodies are redacted before they become messages; URLs never show credentials
// (issue 15, item 13 of the adversarial run).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkServerUrl, MlflowClient, redactSecrets } from '../../../src/server/client';

const TOKEN = 'tok-3f9a8b7c6d5e4f3a2b1c';

/** A real server that answers every request with `status` and a body echoing the request's headers. */
async function echoingServer(status: number, json: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const echoed = `Authorization: ${req.headers.authorization ?? ''}; password=hunter2; api_key=abcdef123456`;
    res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain' });
    res.end(json ? JSON.stringify({ error_code: 'INTERNAL_ERROR', message: `failed for ${echoed}` }) : echoed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('secrets in server errors and URLs', () => {
  for (const [status, json] of [[500, true], [403, true], [200, false]] as const) {
    it(`a ${status} answer echoing the credentials gives a message without them (${json ? 'MLflow JSON' : 'plain text'})`, async () => {
      const server = await echoingServer(status, json);
      const client = new MlflowClient({ url: server.url, auth: { kind: 'bearer', token: TOKEN }, maxRetries: 0 });
      try {
        await assert.rejects(client.get('2.0/mlflow/experiments/search'), (error: Error) => {
          assert.ok(!error.message.includes(TOKEN), error.message);
          assert.ok(!error.message.includes('hunter2'), error.message);
          assert.ok(!error.message.includes('abcdef123456'), error.message);
          return true;
        });
      } finally {
        client.close();
        await server.close();
      }
    });
  }

  it('redacts Authorization values, Basic pairs, tokens and passwords in text', () => {
    const basic = Buffer.from('ann:s3cret-pass').toString('base64');
    const text = redactSecrets(`Authorization: Basic ${basic} {"password": "s3cret-pass", "access_token": "xyz987654"} ?token=qwerty123`);
    for (const secret of [basic, 's3cret-pass', 'xyz987654', 'qwerty123']) assert.ok(!text.includes(secret), text);
    assert.equal(redactSecrets('metric accuracy dropped'), 'metric accuracy dropped');
  });

  it('a URL that is not one is named without its user:password', () => {
    const why = checkServerUrl('ht!tp://ann:s3cret@exa mple.com') ?? '';
    assert.ok(!why.includes('s3cret'), why);
  });
});
