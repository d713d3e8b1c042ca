// The esbuild options of the two bundles (scripts/bundle.mjs builds them;
// test/build/bundle.test.ts checks what each entry loads from their metafile).
//
// main: the `flux` CLI, split so each lazily imported command is a chunk of
// its own; Ink and React (only `flux ui` imports them) end up in chunks that
// only the `ui` command loads. hook: the hook path, one file.
const src = (file) => new URL(`../src/${file}`, import.meta.url).pathname;

/**
 * Ink loads its React DevTools bridge (./devtools.js, which imports
 * react-devtools-core) only with DEV=true. The package ships no dependency,
 * so the bridge becomes an empty module: the bundle loads only Node built-ins,
 * and DEV=true simply connects to nothing.
 */
const withoutDevtools = {
  name: 'ink-without-devtools',
  setup(build) {
    build.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]ink[\\/]/.test(args.importer)
        ? { path: 'ink-devtools', namespace: 'empty' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/**
 * Ink stops drawing updates when it thinks it runs in CI (the CI variable,
 * read by is-in-ci): it would show a blank dashboard to a person whose
 * shell exports CI, and to the tests run in CI. `flux ui` refuses to run
 * without a terminal, so where Ink runs it is interactive: is-in-ci is false.
 */
const interactiveInk = {
  name: 'ink-interactive',
  setup(build) {
    build.onResolve({ filter: /^is-in-ci$/ }, () => ({ path: 'is-in-ci', namespace: 'not-in-ci' }));
    build.onLoad({ filter: /.*/, namespace: 'not-in-ci' }, () => ({
      contents: 'export default false;',
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // React's production build: the development one is larger and slower, and warns on the terminal.
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [withoutDevtools, interactiveInk],
  jsx: 'automatic',
};

export function mainOptions(outdir) {
  return {
    ...common,
    outdir,
    entryPoints: { main: src('cli/main.ts') },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Some dependencies still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __fluxRequire } from 'node:module'; const require = __fluxRequire(import.meta.url);",
    },
  };
}

export function hookOptions(outdir) {
  return { ...common, outdir, entryPoints: { hook: src('cli/hook-main.ts') } };
}
