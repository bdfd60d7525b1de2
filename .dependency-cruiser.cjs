/**
 * Architecture rules (issue #12), run by `npm run lint` and `.ci/run`. The module layers and
 * why are in docs/ARCHITECTURE.md. Tests (`*.test.ts`, `*-test-kit.ts`, `test/`) may reach
 * into any module to set up what they check; production code may not.
 */
const modules =
  'access|audit|credentials|demo|geography|notifications|registry|system|programs|distribution|ledger|payments|statistics';
const testCode = '(\\.test\\.tsx?$|-test-kit\\.ts$|^test/)';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A loop between files makes every file in it depend on all of them.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-imports-no-module',
      comment: 'src/platform/ is cross-cutting machinery; it knows no domain.',
      severity: 'error',
      from: { path: '^src/platform/', pathNot: testCode },
      to: { path: '^src/(modules/|app\\.ts|server\\.ts|main\\.ts|cli/)' },
    },
    {
      name: 'shared-imports-only-shared',
      comment: 'src/shared/ is browser-safe vocabulary: it imports nothing outside itself.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'web-imports-only-shared',
      comment: 'The console shares only src/shared/ with the server.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'modules-meet-through-index',
      comment: "A module reaches another only through that module's public face (index.ts).",
      severity: 'error',
      from: { path: `^src/modules/(${modules})/`, pathNot: testCode },
      to: {
        path: `^src/modules/(${modules})/`,
        pathNot: ['^src/modules/$1/', `^src/modules/(${modules})/index\\.ts$`],
      },
    },
    {
      name: 'registry-imports-no-downstream',
      comment:
        'Downstream modules subscribe to registry lifecycle events; the registry never calls them.',
      severity: 'error',
      from: { path: '^src/modules/registry/', pathNot: testCode },
      to: {
        path: '^src/modules/(credentials|programs|distribution|ledger|payments|notifications|statistics)/',
      },
    },
    {
      name: 'nothing-below-imports-distribution',
      comment:
        'Distribution sits above programs and credentials: only the composition root wires it in.',
      severity: 'error',
      from: {
        path: '^src/modules/(access|audit|credentials|demo|geography|notifications|programs|registry|system)/',
        pathNot: testCode,
      },
      to: { path: '^src/modules/distribution/' },
    },
    {
      name: 'nothing-below-imports-payments',
      comment:
        'Payments (issue #16) is the glue above programs and the ledger: only the composition root wires it in.',
      severity: 'error',
      from: {
        path: '^src/modules/(access|audit|credentials|demo|distribution|geography|ledger|notifications|programs|registry|statistics|system)/',
        pathNot: testCode,
      },
      to: { path: '^src/modules/payments/' },
    },
    {
      name: 'audit-imports-platform-and-shared',
      comment: 'The audit log sits under every module, so it depends on none of them.',
      severity: 'error',
      from: { path: '^src/modules/audit/', pathNot: testCode },
      to: {
        path: '^src/',
        pathNot: ['^src/modules/audit/', '^src/platform/', '^src/shared/', '^src/limits\\.ts$'],
      },
    },
    {
      name: 'statistics-reads-aggregates-only',
      comment:
        'Statistics reads only the aggregate read models src/app.ts hands it (safeguard 8): it imports no module that owns person data, only geography, platform and shared.',
      severity: 'error',
      from: { path: '^src/modules/statistics/', pathNot: testCode },
      to: {
        path: '^src/',
        pathNot: [
          '^src/modules/statistics/',
          '^src/modules/geography/index\\.ts$',
          '^src/platform/',
          '^src/shared/',
          '^src/limits\\.ts$',
        ],
      },
    },
    {
      name: 'ledger-imports-platform-and-shared',
      comment:
        'The ledger is money only (accounts and transfers): it knows no program or person, so it depends on no module.',
      severity: 'error',
      from: { path: '^src/modules/ledger/', pathNot: testCode },
      to: {
        path: '^src/',
        pathNot: ['^src/modules/ledger/', '^src/platform/', '^src/shared/', '^src/limits\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^web/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
  },
};
