// duckdb_peer.mjs CSV RESDIR - the DuckDB peer of bench/run (npm @duckdb/node-api,
// pinned in bench/package.json, installed into bench/node_modules).
//
// An in-memory database with 2 threads; times CREATE TABLE t AS SELECT * FROM
// read_csv_auto(CSV) (the sniffer types Date as TIMESTAMP and Community Area as
// BIGINT, empty = NULL), then each query once to warm up and three times timed;
// reports the best. Peak RSS is the process's VmHWM (node itself included).
// Writes RESDIR/duckdb_{area,month}.csv and RESDIR/duckdb.json.
import { DuckDBInstance, version } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [csv, res] = process.argv.slice(2);
if (!csv || !res) {
  console.error('usage: duckdb_peer.mjs CSV RESDIR');
  process.exit(2);
}
const from = process.env.BENCH_FROM || '2015-01-01';
const to = process.env.BENCH_TO || '2019-12-31';
const types = (process.env.BENCH_TYPES || 'HOMICIDE|ROBBERY|BATTERY|ASSAULT|WEAPONS VIOLATION')
  .split('|').filter((t) => t);

const sqlStr = (s) => "'" + s.replace(/'/g, "''") + "'";
const now = () => Number(process.hrtime.bigint()) / 1e9;
const vmHwmKb = () => {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
};

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await instance.connect();

let t0 = now();
await con.run(`CREATE TABLE t AS SELECT * FROM read_csv_auto(${sqlStr(csv)})`);
const loadS = now() - t0;
const loadRss = vmHwmKb();

const cols = (await con.runAndReadAll('DESCRIBE t')).getRows();
const dateType = String(cols.find((c) => c[0] === 'Date')[1]);
// If the sniffer ever leaves Date as text, parse it in the query instead.
const date = dateType.startsWith('TIMESTAMP')
  ? '"Date"'
  : `strptime("Date", '%m/%d/%Y %I:%M:%S %p')`;
const where = `"Primary Type" IN (${types.map(sqlStr).join(',')})
  AND ${date} >= DATE ${sqlStr(from)} AND ${date} < DATE ${sqlStr(to)} + INTERVAL 1 DAY`;
const queries = {
  area: `SELECT "Community Area", count(*) FROM t WHERE ${where} GROUP BY 1 ORDER BY 1`,
  month: `SELECT strftime(${date}, '%Y-%m') AS m, count(*) FROM t WHERE ${where} GROUP BY 1 ORDER BY 1`,
};
const best = {};
const first = {};
for (const [name, sql] of Object.entries(queries)) {
  let rows = (await con.runAndReadAll(sql)).getRows(); // warm-up
  const times = [];
  for (let i = 0; i < 3; i++) {
    t0 = now();
    rows = (await con.runAndReadAll(sql)).getRows();
    times.push(now() - t0);
  }
  best[name] = Math.min(...times);
  first[name] = times[0];
  writeFileSync(join(res, `duckdb_${name}.csv`),
    rows.map((r) => `${r[0] === null ? '' : String(r[0])},${String(r[1])}`).join('\n') + '\n');
}
writeFileSync(join(res, 'duckdb.json'), JSON.stringify({
  tool: 'DuckDB',
  version: `${version()} (@duckdb/node-api, node ${process.versions.node}, 2 threads)`,
  load_s: loadS,
  load_detail: `CREATE TABLE AS read_csv_auto (Date ${dateType})`,
  load_rss_kb: loadRss,
  area_s: best.area,
  month_s: best.month,
  area_first_s: first.area,
  month_first_s: first.month,
  query_rss_kb: vmHwmKb(),
  note: 'in-process; best of 3 after a warm-up',
}, null, 1) + '\n');
con.closeSync?.();
