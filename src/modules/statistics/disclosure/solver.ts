import highsDefault from 'highs';

/**
 * One HiGHS linear-programming solver (MIT, compiled to WebAssembly: the `highs` package),
 * loaded once per process. Each `solve` call builds a fresh native model, so callers share
 * nothing but the compiled module.
 */

// The package ships CommonJS declarations (`export default`) beside an ES build. Under
// `nodenext` TypeScript types this default import as the CommonJS module object, whose
// `default` is the loader; Node loads the ES build, whose default export is the loader
// itself. The cast says what Node actually hands us.
const highsLoader = highsDefault as unknown as typeof highsDefault.default;

export type Solver = Awaited<ReturnType<typeof highsLoader>>;
let solver: Promise<Solver> | undefined;

export function loadSolver(): Promise<Solver> {
  const loading = solver ?? highsLoader();
  solver = loading;
  return loading;
}
