// Builds the console into one directory the hub embeds:
//   node build.mjs <out-dir>
// Type errors fail the build, so a console that does not check never ships.
// File names carry a hash of their content: the hub can cache them forever,
// and index.html (never cached) names the current ones.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv[2];
if (!outArg) {
  console.error('usage: node build.mjs <out-dir>');
  process.exit(2);
}
const out = resolve(outArg);

// The package's own script rather than node_modules/.bin, which differs by OS.
const require = createRequire(import.meta.url);
const tsPackage = require.resolve('typescript/package.json');
const tsc = join(dirname(tsPackage), require(tsPackage).bin.tsc);
const checked = spawnSync(process.execPath, [tsc, '--noEmit', '-p', here], {
  stdio: 'inherit',
});
if (checked.status !== 0) {
  console.error('build.mjs: type check failed');
  process.exit(1);
}

/** Bundles one entry point in memory and returns its text. */
async function bundle(entry, options) {
  const result = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    minify: true,
    write: false,
    // esbuild needs a name to pick the output kind; nothing is written there.
    outdir: out,
    // Licences of bundled packages stay with the code, at its end.
    legalComments: 'eof',
    logLevel: 'warning',
    ...options,
  });
  const [file] = result.outputFiles;
  return file.text;
}

let js, css;
try {
  js = await bundle('src/main.tsx', {
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
  });
  // Leaflet's stylesheet names its control pictures: they go inline, so the
  // page asks for nothing but the two files.
  css = await bundle('src/style.css', { target: 'chrome90', loader: { '.png': 'dataurl', '.svg': 'dataurl' } });
} catch {
  // esbuild has already printed what failed.
  console.error('build.mjs: bundling failed');
  process.exit(1);
}

const hashed = (ext, text) =>
  `app.${createHash('sha256').update(text).digest('hex').slice(0, 12)}.${ext}`;
const jsName = hashed('js', js);
const cssName = hashed('css', css);

// Nothing inline: the hub's CSP allows scripts and styles from 'self' only.
// The empty data: icon keeps browsers from asking for /favicon.ico.
const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Twinwall</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${cssName}">
<script defer src="${jsName}"></script>
</head>
<body>
<div id="app"></div>
<noscript>Twinwall 控制台需要 JavaScript。The Twinwall console needs JavaScript.</noscript>
</body>
</html>
`;

// Only what an earlier build wrote goes: a mistyped <out-dir> loses nothing else.
mkdirSync(out, { recursive: true });
const ours = /^(app\.[0-9a-f]{12}\.(js|css)|index\.html)$/;
for (const name of readdirSync(out)) {
  if (ours.test(name)) rmSync(join(out, name));
}
writeFileSync(join(out, jsName), js);
writeFileSync(join(out, cssName), css);
writeFileSync(join(out, 'index.html'), html);
console.log(`build.mjs: ${out}: index.html ${jsName} ${cssName}`);
