// soda_js.js - drives the soda-js package (Socrata's own JavaScript client,
// from npm) against a local server: soda_js.sh starts it and passes its
// address in SODA_HOST ("127.0.0.1:PORT"). Each check prints "ok ..." or
// "FAIL ..."; the exit status is the number of failures.
'use strict';
const soda = require('soda-js');

const consumer = new soda.Consumer(process.env.SODA_HOST);
const expectCli = JSON.parse(process.env.SODA_EXPECT || '{}');
let failures = 0;

function check(name, cond, detail) {
    if (cond) {
        console.log(`ok   ${name}`);
    } else {
        failures++;
        console.log(`FAIL ${name}: ${detail}`);
    }
}

// Runs a query built by fn; resolves to {rows} or {error}.
function ask(fn) {
    return new Promise((resolve) => {
        const q = fn(consumer.query().withDataset('ijzp-q8t2'));
        q.getRows()
            .on('success', (rows) => resolve({ rows }))
            .on('error', (error) => resolve({ error }));
    });
}

async function main() {
    let r;

    // an aggregate, grouped and ordered, as the portal answers it
    r = await ask((q) => q.select('primary_type', 'count(*)').group('primary_type')
        .order('count desc').limit(3));
    check('count by primary type', r.rows && r.rows.length === 3 &&
        r.rows[0].primary_type === 'BATTERY' && r.rows[0].count === '442' &&
        r.rows[1].primary_type === 'THEFT' && r.rows[1].count === '355',
        JSON.stringify(r));
    check('the same answer as cscc soql', r.rows &&
        JSON.stringify(r.rows) === JSON.stringify(expectCli.by_type), JSON.stringify(r));

    // a where built from an object: "(primary_type = 'THEFT')"
    r = await ask((q) => q.where({ primary_type: 'THEFT' }).limit(5));
    check('rows filtered by an object', r.rows && r.rows.length === 5 &&
        r.rows.every((x) => x.primary_type === 'THEFT' && typeof x.arrest === 'boolean' &&
            typeof x.id === 'string'), JSON.stringify(r).slice(0, 300));

    // soda.expr helpers and floating timestamps
    r = await ask((q) => q.select('count(*)').where(soda.expr.and(
        soda.expr.gte('date', '2016-01-02T00:00:00'),
        soda.expr.lt('date', '2016-01-03T00:00:00'))));
    check('count of a day', r.rows && r.rows.length === 1 && r.rows[0].count === '523',
        JSON.stringify(r));

    // paging with offset and limit, in a stable order
    const all = await ask((q) => q.select('id').order('id').limit(10));
    const page = await ask((q) => q.select('id').order('id').offset(4).limit(3));
    check('paging', all.rows && page.rows && page.rows.length === 3 &&
        page.rows.map((x) => x.id).join() === all.rows.slice(4, 7).map((x) => x.id).join(),
        JSON.stringify([all, page]).slice(0, 300));

    // several where clauses are ANDed; within_circle; several select terms with aliases
    r = await ask((q) => q.select('community_area', 'count(*) AS n')
        .where('within_circle(location, 41.8781, -87.6298, 2000)')
        .where({ arrest: false })
        .group('community_area').order('n desc', 'community_area'));
    check('within_circle grouped', r.rows && r.rows.length > 0 &&
        JSON.stringify(r.rows) === JSON.stringify(expectCli.circle), JSON.stringify(r).slice(0, 300));

    // errors come back in Socrata's shape
    r = await ask((q) => q.where('no_such_column = 1'));
    check('an unknown column is an error', r.error && r.error.error === true &&
        r.error.code === 'query.soql.no-such-column' && /no_such_column/.test(r.error.message),
        JSON.stringify(r));
    r = await ask((q) => q.where("primary_type = 'THEFT"));
    check('a syntax error names the position', r.error &&
        r.error.code === 'query.compiler.malformed' && /position/.test(r.error.message),
        JSON.stringify(r));
}

main().then(() => process.exit(failures), (e) => {
    console.log(`FAIL ${e.stack}`);
    process.exit(1);
});
