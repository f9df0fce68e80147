/** A model given as a local path is published by its last component only (PRIVACY §2: no usernames). */
import assert from 'node:assert/strict';
import { publicModelName } from '../../src/contract/model-ref.js';

describe('publicModelName', () => {
  it('keeps hub ids and provider names', () => {
    assert.equal(publicModelName('mlx-community/Llama-3.2-1B-Instruct-4bit'), 'mlx-community/Llama-3.2-1B-Instruct-4bit');
    assert.equal(publicModelName('llama3.2:1b'), 'llama3.2:1b');
  });

  it('reduces local paths to their last component', () => {
    assert.equal(publicModelName('/home/alice/models/Qwen3-8B-exl2/'), 'Qwen3-8B-exl2');
    assert.equal(publicModelName('~/models/mistral-mlx'), 'mistral-mlx');
    assert.equal(publicModelName('./models/local-model'), 'local-model');
    assert.equal(publicModelName('C:\\Users\\alice\\models\\phi-4'), 'phi-4');
    assert.equal(publicModelName('data/models/deep/folder'), 'folder');
  });
});
