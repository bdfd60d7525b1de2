import { geoArea, geoBounds } from 'd3-geo';
import type { FeatureCollection } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { describe, expect, it } from 'vitest';
import divisions from './divisions.json' with { type: 'json' };
import topology from './venezuela-states.topo.json' with { type: 'json' };

/**
 * The statistics map's boundaries (STATES-MAP-LICENSE.md): one shape per first-level division
 * under the ISO 3166-2:VE code `divisions.json` uses, wound as d3-geo reads them (a shape
 * wound the other way is the whole globe minus the state, and fills the map).
 */
describe('the map of Venezuela’s 25 divisions', () => {
  // Safe: the file is TopoJSON with one object "states", written by the map script.
  const topo = topology as unknown as Topology<{ states: GeometryCollection }>;
  const states = feature(topo, topo.objects.states) as FeatureCollection;

  it('has exactly the 25 codes of divisions.json', () => {
    const codes = states.features.map((state) => String(state.id)).sort();
    expect(codes).toEqual(divisions.map((division) => division.iso_31662).sort());
  });

  it('draws each division as a small area inside Venezuela’s frame', () => {
    const sphere = 4 * Math.PI;
    for (const state of states.features) {
      const area = geoArea(state);
      expect(area, String(state.id)).toBeGreaterThan(0);
      expect(area / sphere, String(state.id)).toBeLessThan(0.001);
      const [[west, south], [east, north]] = geoBounds(state);
      expect(west).toBeGreaterThan(-74);
      expect(east).toBeLessThan(-59);
      expect(south).toBeGreaterThan(0);
      expect(north).toBeLessThan(13);
    }
  });
});
