import { describe, expect, it } from 'vitest';
import { emptyRootHash, leafHash, MerkleFrontier, rootFromLeafHashes } from './index.js';

const hashHex = 'ab'.repeat(32);

describe('MerkleFrontier state', () => {
  it('refuses a stored state that no real tree could have', () => {
    const bad = [
      { size: 3, subtreeRootsHex: [hashHex] }, // size 3 = 2 + 1 needs two roots
      { size: 4, subtreeRootsHex: [hashHex, hashHex] }, // size 4 is one perfect tree
      { size: 0, subtreeRootsHex: [hashHex] },
      { size: 1, subtreeRootsHex: ['AB'.repeat(32)] }, // upper case is not canonical
      { size: 1, subtreeRootsHex: ['ab'.repeat(31)] },
      { size: -1, subtreeRootsHex: [] },
      { size: 2.5, subtreeRootsHex: [hashHex, hashHex] },
    ];
    for (const state of bad) expect(() => MerkleFrontier.fromState(state)).toThrow(RangeError);
  });

  it('copies the appended leaf so later changes by the caller cannot alter the tree', () => {
    const leaf = Uint8Array.from(leafHash(new Uint8Array([1])));
    const frontier = new MerkleFrontier();
    frontier.append(leaf);
    const before = Buffer.from(frontier.root()).toString('hex');
    leaf.fill(0);
    expect(Buffer.from(frontier.root()).toString('hex')).toBe(before);
  });

  it('refuses a leaf hash of the wrong length', () => {
    expect(() => new MerkleFrontier().append(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('empty tree root', () => {
  it('is SHA-256 of the empty string and cannot be corrupted through a returned copy', () => {
    const expected = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    new MerkleFrontier().root().fill(0);
    rootFromLeafHashes([]).fill(0);
    emptyRootHash().fill(0);
    expect(Buffer.from(emptyRootHash()).toString('hex')).toBe(expected);
    expect(Buffer.from(new MerkleFrontier().root()).toString('hex')).toBe(expected);
  });
});
