import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
const contents = process.argv[2]
const out = await build({ stdin: { contents, resolveDir: '/work/wt-z', loader: 'js' }, bundle: true, write: false, minify: true, format: 'esm', platform: 'browser', target: 'es2022', treeShaking: true, logLevel: 'silent', define: { __KERBEROS_TS_LEAN__: 'true' } })
console.log(out.outputFiles[0].contents.length, gzipSync(out.outputFiles[0].contents, { level: 9 }).length)
