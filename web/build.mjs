// Builds the workbench's page into src/serve/assets/ (committed, so that
// `cargo build` needs no npm):
//
//   npm ci --prefix web && npm run build --prefix web
//
// Writes app.js (src/main.js and CodeMirror 6, bundled and minified by
// esbuild), app.css, index.html, LICENSES.txt (the licence of every npm
// package in the bundle) and SOURCE_HASH, the SHA-256 of the sources
// (see sourceHash below): tests/serve_api.rs recomputes it and fails
// when the committed bundle is older than web/.

import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const WEB = dirname(fileURLToPath(import.meta.url));
const OUT = join(WEB, "..", "src", "serve", "assets");

// The files the bundle is made from, sorted by their path relative to web/.
function sources() {
  const files = ["index.html", "build.mjs", "package.json", "package-lock.json"];
  const walk = (dir) => {
    for (const name of readdirSync(join(WEB, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(join(WEB, rel)).isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk("src");
  return files.sort();
}

// SHA-256 over, for each source file in order: "PATH\nLENGTH\n" + bytes.
function sourceHash() {
  const hash = createHash("sha256");
  for (const rel of sources()) {
    const bytes = readFileSync(join(WEB, rel));
    hash.update(`${rel}\n${bytes.length}\n`);
    hash.update(bytes);
  }
  return hash.digest("hex");
}

// The npm package a bundled file comes from: node_modules/[@scope/]name.
function packageDir(input) {
  const parts = input.split(/[\\/]/);
  const i = parts.lastIndexOf("node_modules");
  if (i < 0) return null;
  const n = parts[i + 1].startsWith("@") ? 3 : 2;
  return parts.slice(0, i + n).join("/");
}

function licences(inputs) {
  const dirs = [...new Set(inputs.map(packageDir).filter(Boolean))].sort();
  const out = [
    "Third-party software in the kpi workbench (src/serve/assets/app.js),",
    "bundled from npm by web/build.mjs. Each package's licence follows.",
    "",
  ];
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(WEB, dir, "package.json"), "utf8"));
    const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].map((f) => join(WEB, dir, f)).find(existsSync);
    out.push("=".repeat(72), `${pkg.name} ${pkg.version} — ${pkg.license}`, pkg.homepage || "", "-".repeat(72));
    out.push(file ? readFileSync(file, "utf8").trim() : `(no licence file; package.json says ${pkg.license})`, "");
  }
  return out.join("\n") + "\n";
}

const result = await build({
  entryPoints: [join(WEB, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "none",
  metafile: true,
  write: false,
  logLevel: "warning",
  charset: "utf8",
});
const js = result.outputFiles[0].text;
const inputs = Object.keys(result.metafile.inputs);
writeFileSync(join(OUT, "app.js"), `/* kpi workbench — built by web/build.mjs; licences in /assets/LICENSES.txt */\n${js}`);
writeFileSync(join(OUT, "app.css"), readFileSync(join(WEB, "src", "style.css")));
writeFileSync(join(OUT, "index.html"), readFileSync(join(WEB, "index.html")));
writeFileSync(join(OUT, "LICENSES.txt"), licences(inputs));
writeFileSync(join(OUT, "SOURCE_HASH"), `${sourceHash()}\n`);
console.log(`app.js ${js.length} bytes from ${inputs.length} modules; SOURCE_HASH written`);

