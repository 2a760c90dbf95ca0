// soql_duckdb.mjs CSV SHAPES RESDIR - DuckDB's side of bench/soql: loads the
// export into an in-memory table (2 threads, read_csv_auto, as bench/run's
// peer does), then runs each shape's SQL once to warm up and five times
// timed. Writes RESDIR/duckdb_<i>.csv (the rows) and RESDIR/duckdb.json
// (best times in ms).
import { DuckDBInstance, version } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [csv, shapesFile, res] = process.argv.slice(2);
const shapes = JSON.parse(readFileSync(shapesFile, 'utf8'));
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sqlStr = (s) => "'" + s.replace(/'/g, "''") + "'";

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await instance.connect();
let t0 = now();
await con.run(`CREATE TABLE t AS SELECT * FROM read_csv_auto(${sqlStr(csv)})`);
const loadMs = now() - t0;
const out = { tool: 'DuckDB', version: `${version()} (@duckdb/node-api, 2 threads)`, load_ms: loadMs, ms: [] };
for (let i = 0; i < shapes.length; i++) {
  let rows = (await con.runAndReadAll(shapes[i].sql)).getRows();
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    t0 = now();
    rows = (await con.runAndReadAll(shapes[i].sql)).getRows();
    best = Math.min(best, now() - t0);
  }
  out.ms.push(best);
  writeFileSync(join(res, `duckdb_${i}.csv`),
    rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join('\t')).join('\n') + '\n');
}
writeFileSync(join(res, 'duckdb.json'), JSON.stringify(out, null, 1) + '\n');
