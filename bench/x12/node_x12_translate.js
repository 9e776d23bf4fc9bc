// Parse FILE with node-x12 (npm), map every transaction set to an object with
// X12TransactionMap (header, ship-to party, lines) and JSON.stringify it: the translation
// comparison for bench/x12. Usage: node node_x12_translate.js FILE
const fs = require('fs');
const { X12Parser } = require('node-x12');
const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
const map = {
  purpose: 'BEG01',
  orderType: 'BEG02',
  poNumber: 'BEG03',
  poDate: 'BEG05',
  currency: 'CUR02',
  department: 'REF02:REF01["DP"]',
  buyerName: 'PER02:PER01["BD"]',
  buyerPhone: 'PER04:PER03["TE"]',
  deliveryDate: 'DTM02:DTM01["002"]',
  shipToName: 'N102:N101["ST"]',
  shipToCode: 'N104:N101["ST"]',
  shipToStreet: 'N1-N301:N101["ST"]',
  shipToCity: 'N1-N401:N101["ST"]',
  shipToState: 'N1-N402:N101["ST"]',
  shipToPostal: 'N1-N403:N101["ST"]',
  shipToCountry: 'N1-N404:N101["ST"]',
  lineNumbers: 'FOREACH(PO1)=>PO101',
  quantities: 'FOREACH(PO1)=>PO102',
  units: 'FOREACH(PO1)=>PO103',
  prices: 'FOREACH(PO1)=>PO104',
  vendorParts: 'FOREACH(PO1)=>PO107',
  upcs: 'FOREACH(PO1)=>PO109',
  descriptions: 'FOREACH(PID)=>PID05',
  lineCount: 'CTT01',
};
const t0 = process.hrtime.bigint();
const parser = new X12Parser(true);
const interchange = parser.parse(text);
let sets = 0;
let json = 0;
for (const g of interchange.functionalGroups) {
  for (const t of g.transactions) {
    json += JSON.stringify(t.toObject(map)).length + 1;
    sets++;
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const mb = Buffer.byteLength(text) / (1 << 20);
console.log(`node-x12 parse + toObject + JSON: ${mb.toFixed(0)} MB, ${sets} sets ` +
  `(${(json / (1 << 20)).toFixed(0)} MB of JSON), ${secs.toFixed(2)} s, ` +
  `${(mb / secs).toFixed(1)} MB/s, max RSS ${Math.round(process.resourceUsage().maxRSS)} KB`);
