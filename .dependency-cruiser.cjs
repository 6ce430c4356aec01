/**
 * Import directions (STYLE.md 2.1): a folder imports only from folders above it in DESIGN.md §2.
 * Each rule forbids a module from reaching the ones it may not import.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-${allowed.join('-') || 'nothing'}`,
  severity: 'error',
  comment: `src/${name} may import only: ${allowed.join(', ') || 'nothing from src'}`,
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)],
  },
});

module.exports = {
  forbidden: [
    layer('core', []),
    layer('config', ['core']),
    layer('metrics', ['core', 'config']),
    layer('api', ['core', 'config', 'metrics']),
    layer('graph', ['core', 'config', 'api']),
    layer('state', ['core', 'config', 'metrics', 'api']),
    layer('checkpoint', ['core', 'config', 'metrics', 'api', 'state', 'graph']),
    layer('runtime', ['core', 'config', 'metrics', 'api', 'graph', 'state', 'checkpoint']),
    layer('rest', ['core', 'config', 'metrics', 'checkpoint', 'runtime']),
    layer('cli', ['core', 'config', 'api', 'graph', 'rest', 'runtime']),
    {
      name: 'api-connectors-only-api',
      severity: 'error',
      comment: 'api/connectors imports only the rest of api (and Node built-ins)',
      from: { path: '^src/api/connectors/' },
      to: { path: '^src/', pathNot: '^src/api/' },
    },
    {
      name: 'no-circular',
      severity: 'warn',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
