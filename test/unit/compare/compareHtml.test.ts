import assert from 'node:assert/strict';
import { compareHtml, jsonForScriptElement } from '../../../src/compare/compareHtml';

describe('compare panel HTML', () => {
  it('has a strict CSP with one nonce and no unsafe-inline', () => {
    const html = compareHtml({ cspSource: 'https://webview.test', scriptUri: 'https://webview.test/compare.js', styleUri: 'https://webview.test/compare.css', initial: undefined, nonce: 'abc123' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    assert.equal(csp, "default-src 'none'; script-src 'nonce-abc123'; style-src https://webview.test 'nonce-abc123'; img-src https://webview.test data:; font-src https://webview.test");
    assert.doesNotMatch(html, /unsafe-/);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.ok(scripts.length > 0 && scripts.every((s) => s.includes('nonce="abc123"')));
  });

  it('inlines state that cannot close its <script> element and parses back unchanged', () => {
    const hostile = { name: '</script><script>alert(1)</script><!-- & \u2028 \u2029 >' };
    const text = jsonForScriptElement(hostile);
    assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(text), hostile);
    const html = compareHtml({ cspSource: 'x', scriptUri: 'x', styleUri: 'x', initial: { type: 'exportResult', format: 'csv', ok: true, message: hostile.name }, nonce: 'n' });
    assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the state element and the bundle element close');
  });
});
