// Bundles codemirror-entry.js into ../dxkg/web/static/vendor/codemirror.js (one minified IIFE that
// dxkg serves itself: no CDN), and writes the licences of every package in it beside the bundle.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "dxkg", "web", "static", "vendor");
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, "codemirror-entry.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  metafile: true,
  outfile: join(out, "codemirror.js"),
});

// Every npm package that contributed code to the bundle, with its version and licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match && !packages.has(match[1])) {
    const root = join(here, "node_modules", match[1]);
    const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const licenceFile = ["LICENSE", "LICENSE.md", "LICENSE.txt"].map((f) => join(root, f)).find(existsSync);
    packages.set(match[1], { version: meta.version, licence: meta.license, text: readFileSync(licenceFile, "utf8") });
  }
}
const names = [...packages.keys()].sort();
let notice = "dxkg/web/static/vendor/codemirror.js bundles these npm packages (built by editor/build.mjs):\n\n";
for (const name of names) {
  const p = packages.get(name);
  notice += `${name} ${p.version} (${p.licence})\n`;
}
for (const name of names) {
  const p = packages.get(name);
  notice += `\n${"=".repeat(78)}\n${name} ${p.version}\n${"=".repeat(78)}\n${p.text.trim()}\n`;
}
writeFileSync(join(out, "codemirror.LICENSE.txt"), notice);
console.log(`codemirror.js: ${names.length} packages: ${names.join(", ")}`);
