import { describe, expect, it } from 'vitest';
import { validatePopulationOptions } from '../../demo/options.js';
import { generatePopulation } from '../../demo/population.js';
import { registryStartingModel, trainedRegistryModel } from '../review/duplicate-checker.js';
import { createMatchIndex } from './match-index.js';
import { trainingRecordsMin } from './match-model.js';
import { PairScorer } from './model.js';
import { toDedupRecord } from './population-adapter.js';

describe('trainMatchModel (the enrolment-time model, learnt from the registry)', () => {
  it('estimates u, m and the prior from the indexed persons instead of using set weights', () => {
    const population = [
      ...generatePopulation(
        validatePopulationOptions({ persons: 25_000, seed: 'match-model', duplicateShare: 0.05 }),
      ),
    ];
    const held = population.filter((record) => record.duplicateOfRecordId !== '').slice(-50);
    const heldIds = new Set(held.map((record) => record.recordId));
    const indexed = population.filter((record) => !heldIds.has(record.recordId));
    expect(indexed.length).toBeGreaterThanOrEqual(trainingRecordsMin);
    const index = createMatchIndex(indexed.map(toDedupRecord), trainedRegistryModel);
    expect(index.model).not.toBe(registryStartingModel);
    // About one duplicate partner per twenty persons (5 % duplicates), not the set 0.02.
    expect(index.model.matchesPerRecord).toBeGreaterThan(0.02);
    expect(index.model.matchesPerRecord).toBeLessThan(0.1);
    const scorer = new PairScorer(index.model);
    const levelWeight = (field: string, label: string) => {
      const c = scorer.comparisons.findIndex((comparison) => comparison.name === field);
      const comparison = scorer.comparisons[c];
      return scorer.weights[c]?.[(comparison?.levels.indexOf(label) ?? -2) + 1] ?? Number.NaN;
    };
    expect(levelWeight('birth_date', 'exact')).toBeGreaterThan(10);
    expect(levelWeight('given_names', 'names swapped')).toBeGreaterThan(
      levelWeight('given_names', 'moved to another name field'),
    );
    const found = held.filter((record) =>
      index
        .findCandidates(toDedupRecord(record))
        .some((candidate) => candidate.id === record.duplicateOfRecordId),
    );
    expect(found.length).toBeGreaterThanOrEqual(47);
    // 25,000 generated persons in one thread: on a two-core machine shared with other test
    // files it passed the default 30 s.
  }, 120_000);
});
