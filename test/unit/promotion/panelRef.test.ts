import assert from 'node:assert/strict';
import { promotionPanelRefOf } from '../../../src/shared/promotionProtocol';

describe('promotion panel restore state', () => {
  it('reads back what the webview saves, and nothing from a state that is not one', () => {
    const saved = { tab: 'history', filter: '', action: '', panel: { folder: 'file:///w', model: 'churn', version: 2, target: 'Production' } };
    assert.deepEqual(promotionPanelRefOf(saved), { folder: 'file:///w', model: 'churn', version: 2, target: 'Production' });
    for (const bad of [undefined, null, {}, { panel: null }, { panel: { folder: 'file:///w', model: 'churn', version: 1.5, target: 'Production' } }, { panel: { folder: 1, model: 'm', version: 1, target: 'None' } }, { tab: 'promotion' }]) {
      assert.equal(promotionPanelRefOf(bad), undefined, JSON.stringify(bad));
    }
  });
});
