/** Architecture rules (issue #12). Run by `npm run lint` and `.ci/run`. */
const modules =
  'access|audit|credentials|demo|geography|notifications|registry|system|programs|distribution|ledger|statistics';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'platform-imports-no-module',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|app|server|main|cli)' },
    },
    {
      name: 'shared-imports-only-shared',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'web-imports-only-shared',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'modules-meet-through-index',
      severity: 'error',
      from: { path: `^src/modules/(${modules})/` },
      to: {
        path: `^src/modules/(${modules})/`,
        pathNot: ['^src/modules/$1/', `^src/modules/(${modules})/index\\.ts$`],
      },
    },
    {
      name: 'registry-imports-no-downstream',
      severity: 'error',
      from: { path: '^src/modules/registry/' },
      to: {
        path: '^src/modules/(credentials|programs|distribution|ledger|notifications|statistics)/',
      },
    },
    {
      name: 'audit-imports-platform-and-shared',
      severity: 'error',
      from: { path: '^src/modules/audit/' },
      to: {
        path: '^src/',
        pathNot: ['^src/modules/audit/', '^src/platform/', '^src/shared/', '^src/limits\\.ts$'],
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
