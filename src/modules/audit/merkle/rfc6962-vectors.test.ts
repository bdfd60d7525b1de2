import { describe, expect, it } from 'vitest';
import { verifyConsistencyProof } from './consistency-proof.js';
import {
  generateConsistencyProof,
  generateInclusionProof,
  leafHash,
  MerkleFrontier,
  memoryLeafHashSource,
  rootFromLeafHashes,
  verifyInclusionProof,
} from './index.js';
import {
  compactTreeNodesBySize,
  consistencyVectors,
  inclusionVectors,
  leafInputsHex,
  nodeHashesHex,
  rootsHexBySize,
} from './rfc6962-test-vectors.js';

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const leafHashes = leafInputsHex.map((hex) => leafHash(fromHex(hex)));
const source = memoryLeafHashSource(leafHashes);
const root = (size: number): Uint8Array => fromHex(rootsHexBySize[size]!);
const someHash = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('RFC 6962 known answers (transparency-dev/merkle vectors)', () => {
  it('hashes the eight leaf inputs to the published leaf hashes', () => {
    expect(leafHashes.map(toHex)).toEqual(nodeHashesHex[0]);
  });

  it('computes the published root for every size 0 … 8, in batch and incrementally', () => {
    const frontier = new MerkleFrontier();
    for (let size = 0; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(leafHashes.slice(0, size)))).toBe(rootsHexBySize[size]);
      expect(toHex(frontier.root())).toBe(rootsHexBySize[size]);
      const expectedNodes = compactTreeNodesBySize[size]!.map(
        ([level, position]) => nodeHashesHex[level]![position]!,
      );
      expect(frontier.toState()).toEqual({ size, subtreeRootsHex: expectedNodes });
      if (size < 8) frontier.append(leafHashes[size]!);
    }
  });

  it.each(inclusionVectors)('inclusion proof of leaf $index in size $size', async (vector) => {
    const proof = await generateInclusionProof(source, vector.index, vector.size);
    expect(proof.map(toHex)).toEqual(vector.proofHex);
    const claim = {
      index: vector.index,
      size: vector.size,
      leafHash: leafHashes[vector.index]!,
      proof: vector.proofHex.map(fromHex),
      root: root(vector.size),
    };
    expect(verifyInclusionProof(claim)).toBe(true);
    for (const [description, probe] of corruptInclusionClaims(claim)) {
      expect(verifyInclusionProof(probe), description).toBe(false);
    }
  });

  it.each(consistencyVectors)('consistency proof $oldSize → $newSize', async (vector) => {
    const proof = await generateConsistencyProof(source, vector.oldSize, vector.newSize);
    expect(proof.map(toHex)).toEqual(vector.proofHex);
    const claim = {
      oldSize: vector.oldSize,
      newSize: vector.newSize,
      oldRoot: root(vector.oldSize),
      newRoot: root(vector.newSize),
      proof: vector.proofHex.map(fromHex),
    };
    expect(verifyConsistencyProof(claim)).toBe(true);
    if (claim.proof.length === 0) return;
    for (const [description, probe] of corruptConsistencyClaims(claim)) {
      expect(verifyConsistencyProof(probe), description).toBe(false);
    }
  });
});

type InclusionClaim = Parameters<typeof verifyInclusionProof>[0];
type ConsistencyClaim = Parameters<typeof verifyConsistencyProof>[0];

function flipBit(hash: Uint8Array, mask: number): Uint8Array {
  const copy = Uint8Array.from(hash);
  copy[0] = copy[0]! ^ mask;
  return copy;
}

/** The same corruptions transparency-dev/merkle applies to each known-good inclusion proof. */
function corruptInclusionClaims(claim: InclusionClaim): [string, InclusionClaim][] {
  const { index, size, proof } = claim;
  const probes: [string, InclusionClaim][] = [
    ['index - 1', { ...claim, index: index - 1 }],
    ['index + 1', { ...claim, index: index + 1 }],
    ['index ^ 2', { ...claim, index: index ^ 2 }],
    ['size * 2', { ...claim, size: size * 2 }],
    ['size / 2', { ...claim, size: Math.floor(size / 2) }],
    ['wrong leaf', { ...claim, leafHash: new TextEncoder().encode('WrongLeaf') }],
    ['empty root', { ...claim, root: root(0) }],
    ['random root', { ...claim, root: someHash }],
    ['trailing garbage', { ...claim, proof: [...proof, new Uint8Array(0)] }],
    ['trailing root', { ...claim, proof: [...proof, claim.root] }],
    ['preceding garbage', { ...claim, proof: [new Uint8Array(0), ...proof] }],
    ['preceding root', { ...claim, proof: [claim.root, ...proof] }],
  ];
  proof.forEach((_, i) => {
    const modified = proof.map((hash, j) => (i === j ? flipBit(hash, 8) : hash));
    probes.push([`modified proof[${i}]`, { ...claim, proof: modified }]);
  });
  if (proof.length > 0) probes.push(['removed component', { ...claim, proof: proof.slice(0, -1) }]);
  if (proof.length > 1) {
    const inserted = [proof[0]!, someHash, ...proof.slice(1)];
    probes.push(['inserted component', { ...claim, proof: inserted }]);
  }
  return probes;
}

/** The same corruptions transparency-dev/merkle applies to each known-good consistency proof. */
function corruptConsistencyClaims(claim: ConsistencyClaim): [string, ConsistencyClaim][] {
  const { oldSize, newSize, oldRoot, newRoot, proof } = claim;
  const wrongRoot = new TextEncoder().encode('WrongRoot');
  const probes: [string, ConsistencyClaim][] = [
    ['oldSize - 1', { ...claim, oldSize: oldSize - 1 }],
    ['oldSize + 1', { ...claim, oldSize: oldSize + 1 }],
    ['oldSize ^ 2', { ...claim, oldSize: oldSize ^ 2 }],
    ['newSize * 2', { ...claim, newSize: newSize * 2 }],
    ['newSize / 2', { ...claim, newSize: Math.floor(newSize / 2) }],
    ['wrong old root', { ...claim, oldRoot: wrongRoot }],
    ['wrong new root', { ...claim, newRoot: wrongRoot }],
    ['swapped roots', { ...claim, oldRoot: newRoot, newRoot: oldRoot }],
    ['empty proof', { ...claim, proof: [] }],
    ['trailing garbage', { ...claim, proof: [...proof, new Uint8Array(0)] }],
    ['trailing old root', { ...claim, proof: [...proof, oldRoot] }],
    ['trailing new root', { ...claim, proof: [...proof, newRoot] }],
    ['preceding garbage', { ...claim, proof: [new Uint8Array(0), ...proof] }],
    ['preceding old root', { ...claim, proof: [oldRoot, ...proof] }],
    ['preceding new root', { ...claim, proof: [newRoot, ...proof] }],
    ['preceding proof[0]', { ...claim, proof: [proof[0]!, ...proof] }],
    ['truncated proof', { ...claim, proof: proof.slice(0, -1) }],
  ];
  proof.forEach((_, i) => {
    const modified = proof.map((hash, j) => (i === j ? flipBit(hash, 16) : hash));
    probes.push([`modified proof[${i}]`, { ...claim, proof: modified }]);
  });
  return probes;
}
