// Parse Mermaid files with the real Mermaid parser (Node.js, mermaid + jsdom
// installed in NODE_PATH's folder). Used by tests/test_diagram_mermaid.py:
//   node tools/mermaid_check.mjs FILE...   -> "ok FILE" or "FAIL FILE: message"
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const modules = process.env.MERMAID_NODE_MODULES;
const require = createRequire(path.join(modules, 'noop.js'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import(path.join(modules, 'mermaid', 'dist', 'mermaid.core.mjs'))).default;
mermaid.initialize({ startOnLoad: false });
let bad = 0;
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(fs.readFileSync(file, 'utf8'));
    console.log(`ok ${file}`);
  } catch (err) {
    bad += 1;
    console.log(`FAIL ${file}: ${String(err.message || err).split('\n').slice(0, 4).join(' | ')}`);
  }
}
process.exit(bad ? 1 : 0);
