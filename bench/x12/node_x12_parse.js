// Parse FILE with node-x12 (npm) and print throughput: the comparison for bench/x12.
// Usage: node node_x12_parse.js FILE   (with node-x12 installed in NODE_PATH or nearby)
const fs = require('fs');
const { X12Parser } = require('node-x12');
const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
const t0 = process.hrtime.bigint();
const parser = new X12Parser(true);
const interchange = parser.parse(text);
let sets = 0;
for (const g of interchange.functionalGroups) sets += g.transactions.length;
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const mb = Buffer.byteLength(text) / (1 << 20);
console.log(`node-x12 parse: ${mb.toFixed(0)} MB, ${sets} sets, ${secs.toFixed(2)} s, ` +
  `${(mb / secs).toFixed(0)} MB/s, max RSS ${Math.round(process.resourceUsage().maxRSS)} KB`);
