// spatial_duckdb.mjs CSV OUTDIR X0 Y0 NX NY CELL - the DuckDB half of
// bench/spatial's Gi* peer (npm @duckdb/node-api, 2 threads, in memory).
//
// Loads the crimes CSV's X/Y columns (untimed), then times the binning of
// every located point (State Plane feet x 1200/3937 = metres, as cscc) into
// the NX x NY grid of CELL-metre cells from (X0, Y0): one GROUP BY, once to
// warm up and three times timed, best reported. Writes OUTDIR/duckdb_bins.csv
// (cx,cy,n) and OUTDIR/duckdb_spatial.json ({load_s, bin_s, points, cells}).
// Also writes OUTDIR/points_xy.csv (x,y in metres) for the numpy peer.
import { DuckDBInstance, version } from '@duckdb/node-api';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [csv, out, x0, y0, nx, ny, cell] = process.argv.slice(2);
if (!cell) {
  console.error('usage: spatial_duckdb.mjs CSV OUTDIR X0 Y0 NX NY CELL');
  process.exit(2);
}
const sqlStr = (s) => "'" + s.replace(/'/g, "''") + "'";
const now = () => Number(process.hrtime.bigint()) / 1e9;
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await instance.connect();

let t0 = now();
await con.run(`CREATE TABLE t AS SELECT "X Coordinate" AS xf, "Y Coordinate" AS yf
  FROM read_csv_auto(${sqlStr(csv)})`);
const loadS = now() - t0;
const ft = '(1200.0 / 3937.0)';
const pts = join(out, 'points_xy.csv');
if (!existsSync(pts))
  await con.run(`COPY (SELECT xf * ${ft} AS x, yf * ${ft} AS y FROM t WHERE xf > 0 AND yf > 0)
    TO ${sqlStr(pts)} (HEADER, DELIMITER ',')`);
const sql = `SELECT cx, cy, count(*) AS n FROM (
    SELECT CAST(floor((xf * ${ft} - ${x0}) / ${cell}) AS INTEGER) AS cx,
           CAST(floor((yf * ${ft} - ${y0}) / ${cell}) AS INTEGER) AS cy
    FROM t WHERE xf > 0 AND yf > 0)
  WHERE cx >= 0 AND cy >= 0 AND cx < ${nx} AND cy < ${ny} GROUP BY ALL`;
let rows = (await con.runAndReadAll(sql)).getRows();
const times = [];
for (let i = 0; i < 3; i++) {
  t0 = now();
  rows = (await con.runAndReadAll(sql)).getRows();
  times.push(now() - t0);
}
const located = Number((await con.runAndReadAll(
  'SELECT count(*) FROM t WHERE xf > 0 AND yf > 0')).getRows()[0][0]);
writeFileSync(join(out, 'duckdb_bins.csv'),
  'cx,cy,n\n' + rows.map((r) => `${r[0]},${r[1]},${r[2]}`).join('\n') + '\n');
writeFileSync(join(out, 'duckdb_spatial.json'), JSON.stringify({
  version: version(), load_s: loadS, bin_s: Math.min(...times), points: located,
  cells: rows.length,
}));
