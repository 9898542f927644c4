import assert from 'node:assert/strict';
import { isFromCompareWebview, isToCompareWebview } from '../../../src/shared/compareProtocol';

describe('compare panel message contract', () => {
  it('accepts every well-formed message from the webview and rejects the rest', () => {
    const good = [
      { type: 'ready' },
      { type: 'setBaseline', runUid: 'a' },
      { type: 'toggleDifferences', onlyDifferences: true },
      { type: 'requestRange', requestId: 1, key: 'loss', runUids: ['a'], fromStep: 0, toStep: 10, maxPoints: 100 },
      { type: 'export', format: 'csv', target: 'file' },
      { type: 'export', format: 'markdown', target: 'clipboard' },
      { type: 'export', format: 'png', target: 'file', key: 'loss', dataUrl: 'data:image/png;base64,AAAA' },
      { type: 'openRun', runUid: 'a' },
    ];
    for (const m of good) assert.ok(isFromCompareWebview(m), JSON.stringify(m));
    const bad = [
      null, 'ready', [], { type: 'nope' }, { type: 'setBaseline' }, { type: 'toggleDifferences', onlyDifferences: 'yes' },
      { type: 'requestRange', requestId: 1, key: 'loss', runUids: [1], fromStep: 0, toStep: 10, maxPoints: 100 },
      { type: 'requestRange', requestId: 1, key: 'loss', runUids: ['a'], fromStep: NaN, toStep: 10, maxPoints: 100 },
      { type: 'export', format: 'png', target: 'file', key: 'loss', dataUrl: 'javascript:alert(1)' },
      { type: 'export', format: 'exe', target: 'file' },
    ];
    for (const m of bad) assert.ok(!isFromCompareWebview(m), JSON.stringify(m));
  });

  it('recognises host messages', () => {
    assert.ok(isToCompareWebview({ type: 'exportResult', format: 'csv', ok: true, message: 'saved' }));
    assert.ok(isToCompareWebview({ type: 'rangeData', requestId: 3, series: [] }));
    assert.ok(!isToCompareWebview({ type: 'init', folder: 'f' }));
  });
});
