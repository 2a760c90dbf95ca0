/* sqlite.c - the SQLite backend of the store: WAL, synchronous=FULL, versioned
 * migrations, cached prepared statements. The one file that includes
 * <sqlite3.h>. */
#include "store/store_int.h"

#include "core/alloc.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* "CSCC" in ASCII: PRAGMA application_id marks the file as ours. */
#define CSCC_APP_ID 0x43534343

/* How long a writer waits for another connection's write lock. */
#define BUSY_TIMEOUT_MS 5000

/* Statements of store_exec kept prepared (a module's working set). */
#define EXEC_CACHE_SLOTS 96

/* ------------------------------------------------------------------------ */
/* Schema                                                                    */
/* ------------------------------------------------------------------------ */

/* An integer key the database assigns (the rowid in SQLite). */
#define ID_PK "INTEGER PRIMARY KEY"

/*
 * migrations[i] takes the schema from version i to i + 1; PRAGMA user_version
 * holds the number applied. Never edit a migration that has shipped: append a
 * new one. Population and priority lists may only name stored areas; the
 * foreign keys are deferred so that put_areas can replace the whole set
 * (delete, then insert) inside one transaction.
 */
static const char *const migrations[] = {
    /* 1: reference data, settings, import provenance. */
    "CREATE TABLE areas (\n"
    "    number   INTEGER PRIMARY KEY CHECK (number >= 1),\n"
    "    name     TEXT NOT NULL CHECK (name <> ''),\n"
    "    side     TEXT NOT NULL DEFAULT '',\n"
    "    geometry TEXT CHECK (geometry IS NULL OR json_valid(geometry))\n"
    ");\n"
    "CREATE TABLE population (\n"
    "    area       INTEGER NOT NULL\n"
    "               REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    source     TEXT NOT NULL CHECK (source <> ''),\n"
    "    year       INTEGER NOT NULL CHECK (year BETWEEN 1000 AND 9999),\n"
    "    population INTEGER NOT NULL CHECK (population >= 0),\n"
    "    PRIMARY KEY (area, source)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE priority_areas (\n"
    "    list     TEXT NOT NULL CHECK (list <> ''),\n"
    "    position INTEGER NOT NULL CHECK (position >= 0),\n"
    "    area     INTEGER NOT NULL\n"
    "             REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    PRIMARY KEY (list, position),\n"
    "    UNIQUE (list, area)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX priority_areas_area ON priority_areas(area);\n"
    "CREATE TABLE iucr (\n"
    "    iucr         TEXT NOT NULL PRIMARY KEY CHECK (length(iucr) = 4),\n"
    "    primary_type TEXT NOT NULL CHECK (primary_type <> ''),\n"
    "    description  TEXT NOT NULL,\n"
    "    index_code   TEXT NOT NULL CHECK (index_code IN ('I', 'N', '')),\n"
    "    fbi_code     TEXT NOT NULL DEFAULT ''\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE categories (\n"
    "    name        TEXT NOT NULL PRIMARY KEY CHECK (name <> ''),\n"
    "    label       TEXT NOT NULL,\n"
    "    fbi_codes   TEXT NOT NULL,\n"
    "    description TEXT NOT NULL DEFAULT ''\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE settings (\n"
    "    key   TEXT NOT NULL PRIMARY KEY CHECK (key <> ''),\n"
    "    value TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE imports (\n"
    "    id                INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    dataset           TEXT NOT NULL CHECK (dataset <> ''),\n"
    "    files             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files)),\n"
    "    started_at        INTEGER NOT NULL,\n"
    "    finished_at       INTEGER NOT NULL DEFAULT 0,\n"
    "    status            INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 3),\n"
    "    rows_read         INTEGER NOT NULL DEFAULT 0 CHECK (rows_read >= 0),\n"
    "    rows_new          INTEGER NOT NULL DEFAULT 0 CHECK (rows_new >= 0),\n"
    "    rows_updated      INTEGER NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),\n"
    "    rows_unchanged    INTEGER NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),\n"
    "    rows_rejected     INTEGER NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),\n"
    "    rejects_by_reason TEXT NOT NULL DEFAULT ''\n"
    "                      CHECK (rejects_by_reason = '' OR json_valid(rejects_by_reason)),\n"
    "    rejects_file      TEXT NOT NULL DEFAULT '',\n"
    "    message           TEXT NOT NULL DEFAULT '',\n"
    "    generation        INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0)\n"
    ");\n"
    "CREATE INDEX imports_dataset ON imports(dataset, id);\n",
    /* 2: accounts, sessions and API tokens (hashes only), login failures,
     * and the audit log, which triggers keep append-only. */
    "CREATE TABLE users (\n"
    "    id            INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    name          TEXT NOT NULL UNIQUE COLLATE NOCASE\n"
    "                  CHECK (length(name) BETWEEN 1 AND 64),\n"
    "    role          TEXT NOT NULL CHECK (role IN ('partner', 'department', 'coordinator',\n"
    "                                                'analyst', 'admin')),\n"
    "    org_id        INTEGER NOT NULL DEFAULT 0 CHECK (org_id >= 0),\n"
    "    department    TEXT NOT NULL DEFAULT '',\n"
    "    password_hash TEXT NOT NULL DEFAULT '',\n"
    "    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),\n"
    "    created_at    INTEGER NOT NULL,\n"
    "    updated_at    INTEGER NOT NULL,\n"
    "    CHECK ((role = 'partner') = (org_id > 0)),\n"
    "    CHECK ((role = 'department') = (department <> ''))\n"
    ");\n"
    "CREATE TABLE credentials (\n"
    "    id           INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    kind         INTEGER NOT NULL CHECK (kind IN (1, 2)),\n"
    "    user_id      INTEGER NOT NULL REFERENCES users(id),\n"
    "    hash         BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),\n"
    "    label        TEXT NOT NULL DEFAULT '',\n"
    "    prefix       TEXT NOT NULL DEFAULT '',\n"
    "    address      TEXT NOT NULL DEFAULT '',\n"
    "    created_at   INTEGER NOT NULL,\n"
    "    last_used_at INTEGER NOT NULL,\n"
    "    expires_at   INTEGER NOT NULL DEFAULT 0,\n"
    "    revoked_at   INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE INDEX credentials_user ON credentials(user_id, kind);\n"
    "CREATE TABLE login_failures (\n"
    "    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),\n"
    "    key   TEXT NOT NULL,\n"
    "    at    INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX login_failures_key ON login_failures(scope, key, at);\n"
    "CREATE TABLE audit_log (\n"
    "    id       INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    at       INTEGER NOT NULL,\n"
    "    actor    TEXT NOT NULL,\n"
    "    actor_id INTEGER NOT NULL DEFAULT 0,\n"
    "    address  TEXT NOT NULL DEFAULT '',\n"
    "    action   TEXT NOT NULL CHECK (action <> ''),\n"
    "    object   TEXT NOT NULL DEFAULT '',\n"
    "    outcome  TEXT NOT NULL DEFAULT 'ok',\n"
    "    detail   TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX audit_log_at ON audit_log(at);\n"
    "CREATE INDEX audit_log_actor ON audit_log(actor, at);\n"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n",
    /* 3: coordination (src/coord): departments, the service catalogue,
     * partner organizations, engagement events, the block gazetteer, needs,
     * routing rules, work orders with their history, and the notification
     * outbox. Written so that PostgreSQL takes the same text once ID_PK is
     * "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" there: standard
     * types, no JSON functions, no WITHOUT ROWID. Foreign keys to areas are
     * deferred, as above, so reference data can be replaced in one
     * transaction. Times are Unix seconds (UTC); days are day numbers. */
    "CREATE TABLE coord_departments (\n"
    "    code       TEXT NOT NULL PRIMARY KEY CHECK (code <> ''),\n"
    "    name       TEXT NOT NULL CHECK (name <> ''),\n"
    "    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),\n"
    "    updated_at INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE coord_services (\n"
    "    code           TEXT NOT NULL PRIMARY KEY CHECK (code <> ''),\n"
    "    name           TEXT NOT NULL CHECK (name <> ''),\n"
    "    grp            TEXT NOT NULL DEFAULT '',\n"
    "    description    TEXT NOT NULL DEFAULT '',\n"
    "    keywords       TEXT NOT NULL DEFAULT '',\n"
    "    department     TEXT NOT NULL REFERENCES coord_departments(code),\n"
    "    deadline_hours INTEGER NOT NULL CHECK (deadline_hours > 0),\n"
    "    weight         DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (weight >= 0),\n"
    "    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),\n"
    "    updated_at     INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE coord_service_attrs (\n"
    "    service     TEXT NOT NULL REFERENCES coord_services(code) ON DELETE CASCADE,\n"
    "    code        TEXT NOT NULL CHECK (code <> ''),\n"
    "    position    INTEGER NOT NULL,\n"
    "    datatype    TEXT NOT NULL CHECK (datatype IN ('string', 'number', 'datetime', 'text',\n"
    "                                    'singlevaluelist', 'multivaluelist')),\n"
    "    required    INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),\n"
    "    variable    INTEGER NOT NULL DEFAULT 1 CHECK (variable IN (0, 1)),\n"
    "    description TEXT NOT NULL DEFAULT '',\n"
    "    datatype_description TEXT NOT NULL DEFAULT '',\n"
    "    PRIMARY KEY (service, code)\n"
    ");\n"
    "CREATE TABLE coord_service_attr_values (\n"
    "    service  TEXT NOT NULL,\n"
    "    attr     TEXT NOT NULL,\n"
    "    position INTEGER NOT NULL,\n"
    "    key      TEXT NOT NULL CHECK (key <> ''),\n"
    "    name     TEXT NOT NULL,\n"
    "    PRIMARY KEY (service, attr, key),\n"
    "    FOREIGN KEY (service, attr) REFERENCES coord_service_attrs(service, code)\n"
    "        ON DELETE CASCADE\n"
    ");\n"
    "CREATE TABLE coord_orgs (\n"
    "    id                " ID_PK ",\n"
    "    name              TEXT NOT NULL UNIQUE CHECK (name <> ''),\n"
    "    description       TEXT NOT NULL DEFAULT '',\n"
    "    website           TEXT NOT NULL DEFAULT '',\n"
    "    capacity_per_week INTEGER NOT NULL DEFAULT 0 CHECK (capacity_per_week >= 0),\n"
    "    capacity_unit     TEXT NOT NULL DEFAULT 'people',\n"
    "    contact_name      TEXT NOT NULL DEFAULT '',\n"
    "    contact_email     TEXT NOT NULL DEFAULT '',\n"
    "    contact_phone     TEXT NOT NULL DEFAULT '',\n"
    "    verified          INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),\n"
    "    verified_by       TEXT NOT NULL DEFAULT '',\n"
    "    verified_at       INTEGER,\n"
    "    created_by        TEXT NOT NULL DEFAULT '',\n"
    "    created_at        INTEGER NOT NULL,\n"
    "    updated_at        INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE coord_org_sectors (\n"
    "    org_id INTEGER NOT NULL REFERENCES coord_orgs(id) ON DELETE CASCADE,\n"
    "    sector TEXT NOT NULL,\n"
    "    PRIMARY KEY (org_id, sector)\n"
    ");\n"
    "CREATE INDEX coord_org_sectors_sector ON coord_org_sectors(sector, org_id);\n"
    "CREATE TABLE coord_org_areas (\n"
    "    org_id INTEGER NOT NULL REFERENCES coord_orgs(id) ON DELETE CASCADE,\n"
    "    area   INTEGER NOT NULL REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    PRIMARY KEY (org_id, area)\n"
    ");\n"
    "CREATE INDEX coord_org_areas_area ON coord_org_areas(area, org_id);\n"
    "CREATE TABLE coord_org_services (\n"
    "    org_id   INTEGER NOT NULL REFERENCES coord_orgs(id) ON DELETE CASCADE,\n"
    "    position INTEGER NOT NULL,\n"
    "    service  TEXT NOT NULL CHECK (service <> ''),\n"
    "    PRIMARY KEY (org_id, position)\n"
    ");\n"
    "CREATE TABLE coord_events (\n"
    "    id         " ID_PK ",\n"
    "    type       TEXT NOT NULL CHECK (type <> ''),\n"
    "    title      TEXT NOT NULL DEFAULT '',\n"
    "    day        INTEGER NOT NULL,\n"
    "    area       INTEGER REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    attendance INTEGER NOT NULL DEFAULT 0 CHECK (attendance >= 0),\n"
    "    notes      TEXT NOT NULL DEFAULT '',\n"
    "    created_by TEXT NOT NULL DEFAULT '',\n"
    "    created_by_org INTEGER REFERENCES coord_orgs(id),\n"
    "    created_at INTEGER NOT NULL,\n"
    "    updated_at INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX coord_events_area_day ON coord_events(area, day);\n"
    "CREATE INDEX coord_events_day ON coord_events(day);\n"
    "CREATE TABLE coord_event_orgs (\n"
    "    event_id INTEGER NOT NULL REFERENCES coord_events(id) ON DELETE CASCADE,\n"
    "    org_id   INTEGER NOT NULL REFERENCES coord_orgs(id),\n"
    "    PRIMARY KEY (event_id, org_id)\n"
    ");\n"
    "CREATE TABLE coord_event_departments (\n"
    "    event_id   INTEGER NOT NULL REFERENCES coord_events(id) ON DELETE CASCADE,\n"
    "    department TEXT NOT NULL REFERENCES coord_departments(code),\n"
    "    PRIMARY KEY (event_id, department)\n"
    ");\n"
    "CREATE TABLE coord_event_sectors (\n"
    "    event_id INTEGER NOT NULL REFERENCES coord_events(id) ON DELETE CASCADE,\n"
    "    sector   TEXT NOT NULL,\n"
    "    PRIMARY KEY (event_id, sector)\n"
    ");\n"
    "CREATE TABLE coord_event_commitments (\n"
    "    event_id INTEGER NOT NULL REFERENCES coord_events(id) ON DELETE CASCADE,\n"
    "    position INTEGER NOT NULL,\n"
    "    text     TEXT NOT NULL CHECK (text <> ''),\n"
    "    party    TEXT NOT NULL DEFAULT '',\n"
    "    due_day  INTEGER,\n"
    "    PRIMARY KEY (event_id, position)\n"
    ");\n"
    "CREATE TABLE coord_blocks (\n"
    "    block     TEXT NOT NULL PRIMARY KEY,\n"
    "    street    TEXT NOT NULL,\n"
    "    hundred   INTEGER NOT NULL,\n"
    "    lat       DOUBLE PRECISION NOT NULL,\n"
    "    lon       DOUBLE PRECISION NOT NULL,\n"
    "    area      INTEGER,\n"
    "    incidents INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX coord_blocks_street ON coord_blocks(street, hundred);\n"
    "CREATE INDEX coord_blocks_lat ON coord_blocks(lat);\n"
    "CREATE TABLE coord_needs (\n"
    "    id              " ID_PK ",\n"
    "    token           TEXT NOT NULL UNIQUE,\n"
    "    service         TEXT NOT NULL REFERENCES coord_services(code),\n"
    "    description     TEXT NOT NULL DEFAULT '',\n"
    "    lat             DOUBLE PRECISION NOT NULL,\n"
    "    lon             DOUBLE PRECISION NOT NULL,\n"
    "    public_lat      DOUBLE PRECISION NOT NULL,\n"
    "    public_lon      DOUBLE PRECISION NOT NULL,\n"
    "    address         TEXT NOT NULL DEFAULT '',\n"
    "    block           TEXT NOT NULL DEFAULT '',\n"
    "    located_by      TEXT NOT NULL CHECK (located_by IN ('point', 'block', 'street')),\n"
    "    area            INTEGER REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    source          TEXT NOT NULL,\n"
    "    reporter_kind   TEXT NOT NULL CHECK (reporter_kind IN ('resident', 'partner', 'staff')),\n"
    "    reporter        TEXT NOT NULL DEFAULT '',\n"
    "    reporter_org    INTEGER REFERENCES coord_orgs(id),\n"
    "    reporter_department TEXT NOT NULL DEFAULT '',\n"
    "    contact_name    TEXT NOT NULL DEFAULT '',\n"
    "    contact_email   TEXT NOT NULL DEFAULT '',\n"
    "    contact_phone   TEXT NOT NULL DEFAULT '',\n"
    "    media_url       TEXT NOT NULL DEFAULT '',\n"
    "    duplicate_of    INTEGER REFERENCES coord_needs(id),\n"
    "    duplicate_m     DOUBLE PRECISION,\n"
    "    status          TEXT NOT NULL,\n"
    "    open            INTEGER NOT NULL CHECK (open IN (0, 1)),\n"
    "    status_note     TEXT NOT NULL DEFAULT '',\n"
    "    score           DOUBLE PRECISION NOT NULL,\n"
    "    score_weight    DOUBLE PRECISION NOT NULL,\n"
    "    score_density   DOUBLE PRECISION NOT NULL,\n"
    "    score_city_density DOUBLE PRECISION NOT NULL,\n"
    "    score_violence  DOUBLE PRECISION NOT NULL,\n"
    "    score_priority_area INTEGER NOT NULL,\n"
    "    score_area_factor DOUBLE PRECISION NOT NULL,\n"
    "    score_incidents INTEGER NOT NULL,\n"
    "    score_bandwidth_m DOUBLE PRECISION NOT NULL,\n"
    "    score_days      INTEGER NOT NULL,\n"
    "    score_until_day INTEGER NOT NULL,\n"
    "    created_at      INTEGER NOT NULL,\n"
    "    updated_at      INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX coord_needs_nearby ON coord_needs(service, open, lat);\n"
    "CREATE INDEX coord_needs_created ON coord_needs(created_at);\n"
    "CREATE INDEX coord_needs_duplicate ON coord_needs(duplicate_of);\n"
    "CREATE INDEX coord_needs_org ON coord_needs(reporter_org);\n"
    "CREATE TABLE coord_need_answers (\n"
    "    need_id  INTEGER NOT NULL REFERENCES coord_needs(id) ON DELETE CASCADE,\n"
    "    attr     TEXT NOT NULL,\n"
    "    position INTEGER NOT NULL,\n"
    "    value    TEXT NOT NULL,\n"
    "    PRIMARY KEY (need_id, attr, position)\n"
    ");\n"
    "CREATE TABLE coord_routes (\n"
    "    id             " ID_PK ",\n"
    "    position       INTEGER NOT NULL,\n"
    "    name           TEXT NOT NULL DEFAULT '',\n"
    "    service        TEXT REFERENCES coord_services(code),\n"
    "    area           INTEGER REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    priority_only  INTEGER NOT NULL DEFAULT 0 CHECK (priority_only IN (0, 1)),\n"
    "    days           INTEGER NOT NULL DEFAULT 127 CHECK (days BETWEEN 1 AND 127),\n"
    "    minute_from    INTEGER NOT NULL DEFAULT 0 CHECK (minute_from BETWEEN 0 AND 1439),\n"
    "    minute_to      INTEGER NOT NULL DEFAULT 1440 CHECK (minute_to BETWEEN 1 AND 1440),\n"
    "    department     TEXT NOT NULL REFERENCES coord_departments(code),\n"
    "    deadline_hours INTEGER CHECK (deadline_hours IS NULL OR deadline_hours > 0),\n"
    "    created_by     TEXT NOT NULL DEFAULT '',\n"
    "    created_at     INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX coord_routes_position ON coord_routes(position, id);\n"
    "CREATE TABLE coord_workorders (\n"
    "    id              " ID_PK ",\n"
    "    need_id         INTEGER NOT NULL UNIQUE REFERENCES coord_needs(id),\n"
    "    department      TEXT NOT NULL REFERENCES coord_departments(code),\n"
    "    service         TEXT NOT NULL,\n"
    "    area            INTEGER,\n"
    "    priority        DOUBLE PRECISION NOT NULL,\n"
    "    state           TEXT NOT NULL CHECK (state IN ('new', 'acknowledged', 'in_progress',\n"
    "                        'resolved', 'closed', 'rejected', 'duplicate')),\n"
    "    open            INTEGER NOT NULL CHECK (open IN (0, 1)),\n"
    "    route_id        INTEGER,\n"
    "    created_at      INTEGER NOT NULL,\n"
    "    due_at          INTEGER NOT NULL,\n"
    "    acknowledged_at INTEGER,\n"
    "    resolved_at     INTEGER,\n"
    "    closed_at       INTEGER,\n"
    "    escalated_at    INTEGER,\n"
    "    updated_at      INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX coord_wo_queue ON coord_workorders(department, open, due_at, id);\n"
    "CREATE INDEX coord_wo_due ON coord_workorders(open, escalated_at, due_at);\n"
    "CREATE INDEX coord_wo_created ON coord_workorders(created_at);\n"
    "CREATE TABLE coord_wo_history (\n"
    "    id            " ID_PK ",\n"
    "    wo_id         INTEGER NOT NULL REFERENCES coord_workorders(id),\n"
    "    at            INTEGER NOT NULL,\n"
    "    actor         TEXT NOT NULL,\n"
    "    actor_role    TEXT NOT NULL,\n"
    "    from_state    TEXT,\n"
    "    to_state      TEXT NOT NULL,\n"
    "    department    TEXT NOT NULL,\n"
    "    public_note   TEXT NOT NULL DEFAULT '',\n"
    "    internal_note TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX coord_wo_history_wo ON coord_wo_history(wo_id, id);\n"
    "CREATE TABLE coord_outbox (\n"
    "    id           " ID_PK ",\n"
    "    created_at   INTEGER NOT NULL,\n"
    "    topic        TEXT NOT NULL CHECK (topic <> ''),\n"
    "    payload      TEXT NOT NULL,\n"
    "    attempts     INTEGER NOT NULL DEFAULT 0,\n"
    "    next_at      INTEGER NOT NULL,\n"
    "    delivered_at INTEGER,\n"
    "    last_error   TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX coord_outbox_pending ON coord_outbox(delivered_at, next_at, id);\n",
    /* 4: resources (src/resources): funding allocations with the areas they
     * reach and the spending against them; Launch Committee initiatives with
     * their areas, partners, milestones and linked funding. Money is whole
     * cents (INTEGER). */
    "CREATE TABLE res_allocations (\n"
    "    id           " ID_PK ",\n"
    "    ref          TEXT NOT NULL UNIQUE CHECK (ref <> ''),\n"
    "    source       TEXT NOT NULL CHECK (source <> ''),\n"
    "    department   TEXT NOT NULL CHECK (department <> ''),\n"
    "    program      TEXT NOT NULL CHECK (program <> ''),\n"
    "    strategy     TEXT NOT NULL CHECK (strategy <> ''),\n"
    "    org_id       INTEGER REFERENCES coord_orgs(id) ON DELETE SET NULL,\n"
    "    recipient    TEXT NOT NULL DEFAULT '',\n"
    "    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),\n"
    "    start_day    INTEGER NOT NULL,\n"
    "    end_day      INTEGER NOT NULL CHECK (end_day >= start_day),\n"
    "    notes        TEXT NOT NULL DEFAULT '',\n"
    "    created_by   TEXT NOT NULL DEFAULT '',\n"
    "    created_at   INTEGER NOT NULL,\n"
    "    updated_at   INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX res_allocations_strategy ON res_allocations(strategy, id);\n"
    "CREATE TABLE res_allocation_areas (\n"
    "    alloc_id INTEGER NOT NULL REFERENCES res_allocations(id) ON DELETE CASCADE,\n"
    "    area     INTEGER NOT NULL REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    PRIMARY KEY (alloc_id, area)\n"
    ");\n"
    "CREATE INDEX res_allocation_areas_area ON res_allocation_areas(area, alloc_id);\n"
    "CREATE TABLE res_spending (\n"
    "    id           " ID_PK ",\n"
    "    alloc_id     INTEGER NOT NULL REFERENCES res_allocations(id) ON DELETE CASCADE,\n"
    "    day          INTEGER NOT NULL,\n"
    "    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),\n"
    "    note         TEXT NOT NULL DEFAULT '',\n"
    "    created_by   TEXT NOT NULL DEFAULT '',\n"
    "    created_at   INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX res_spending_alloc ON res_spending(alloc_id, day);\n"
    "CREATE TABLE res_initiatives (\n"
    "    id          " ID_PK ",\n"
    "    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),\n"
    "    lead_org_id INTEGER REFERENCES coord_orgs(id) ON DELETE SET NULL,\n"
    "    status      TEXT NOT NULL CHECK (status <> ''),\n"
    "    description TEXT NOT NULL DEFAULT '',\n"
    "    created_by  TEXT NOT NULL DEFAULT '',\n"
    "    created_at  INTEGER NOT NULL,\n"
    "    updated_at  INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE res_initiative_areas (\n"
    "    init_id INTEGER NOT NULL REFERENCES res_initiatives(id) ON DELETE CASCADE,\n"
    "    area    INTEGER NOT NULL REFERENCES areas(number) DEFERRABLE INITIALLY DEFERRED,\n"
    "    PRIMARY KEY (init_id, area)\n"
    ");\n"
    "CREATE TABLE res_initiative_partners (\n"
    "    init_id INTEGER NOT NULL REFERENCES res_initiatives(id) ON DELETE CASCADE,\n"
    "    org_id  INTEGER NOT NULL REFERENCES coord_orgs(id) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (init_id, org_id)\n"
    ");\n"
    "CREATE TABLE res_initiative_funding (\n"
    "    init_id  INTEGER NOT NULL REFERENCES res_initiatives(id) ON DELETE CASCADE,\n"
    "    alloc_id INTEGER NOT NULL REFERENCES res_allocations(id) ON DELETE CASCADE,\n"
    "    PRIMARY KEY (init_id, alloc_id)\n"
    ");\n"
    "CREATE TABLE res_milestones (\n"
    "    id       " ID_PK ",\n"
    "    init_id  INTEGER NOT NULL REFERENCES res_initiatives(id) ON DELETE CASCADE,\n"
    "    title    TEXT NOT NULL CHECK (title <> ''),\n"
    "    due_day  INTEGER NOT NULL,\n"
    "    status   TEXT NOT NULL CHECK (status <> ''),\n"
    "    done_day INTEGER\n"
    ");\n"
    "CREATE INDEX res_milestones_init ON res_milestones(init_id, due_day);\n",
    /* 5: the work-order queue in its order (due_at, id) beyond one
     * department's open work orders (coord_wo_queue): a department's work
     * orders in any state, and the open work orders of every department
     * (coordinators), so that a page, and a page after a cursor, is a range
     * of an index rather than a sort of the table. */
    ("CREATE INDEX coord_wo_dept_due ON coord_workorders(department, due_at, id);\n"
     "CREATE INDEX coord_wo_open_due ON coord_workorders(open, due_at, id);\n"),
    /* 6: and every work order of every department in that order (the
     * coordinators' all=1), without a sort of the table per page. */
    "CREATE INDEX coord_wo_due_id ON coord_workorders(due_at, id);\n",
    /* 7: a service whose requests are a person's record (a victim services
     * referral) is private: its needs are never in a public view. The
     * shipped catalogue's one such service is marked here for stores that
     * loaded it before the column existed. */
    ("ALTER TABLE coord_services ADD COLUMN private INTEGER NOT NULL DEFAULT 0\n"
     "    CHECK (private IN (0, 1));\n"
     "UPDATE coord_services SET private = 1 WHERE code = 'victim_services';\n"),
};

/* ------------------------------------------------------------------------ */
/* Statements                                                                */
/* ------------------------------------------------------------------------ */

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_AREA_DEL,
    S_AREA_INS,
    S_AREA_EACH,
    S_POP_DEL,
    S_POP_INS,
    S_POP_EACH,
    S_PRIO_DEL,
    S_PRIO_INS,
    S_PRIO_GET,
    S_IUCR_DEL,
    S_IUCR_INS,
    S_IUCR_EACH,
    S_CAT_DEL,
    S_CAT_INS,
    S_CAT_EACH,
    S_CAT_GET,
    S_SET_PUT,
    S_SET_DEL,
    S_SET_GET,
    S_IMP_BEGIN,
    S_IMP_FINISH,
    S_IMP_EACH,
    S_IMP_GET,
    S_USER_ADD,
    S_USER_BY_ID,
    S_USER_BY_NAME,
    S_USER_EACH,
    S_USER_UPDATE,
    S_CRED_ADD,
    S_CRED_GET,
    S_CRED_TOUCH,
    S_CRED_REVOKE,
    S_CRED_REVOKE_USER,
    S_CRED_EACH,
    S_CRED_PURGE,
    S_FAIL_ADD,
    S_FAIL_COUNT,
    S_FAIL_CLEAR,
    S_AUDIT_ADD,
    S_AUDIT_EACH,
    S_COUNT
};

#define IMPORT_COLUMNS                                                                             \
    "id, dataset, files, started_at, finished_at, status, rows_read, rows_new, rows_updated, "     \
    "rows_unchanged, rows_rejected, rejects_by_reason, rejects_file, message, generation"

#define USER_COLUMNS                                                                               \
    "id, name, role, org_id, department, password_hash, disabled, created_at, updated_at"
#define CRED_COLUMNS                                                                               \
    "id, kind, user_id, hash, label, prefix, address, created_at, last_used_at, expires_at, "      \
    "revoked_at"

/* Every statement the backend runs after open: constant text, bound values. */
static const char *const sql_text[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT cscc_write",
    [S_RELEASE] = "RELEASE cscc_write",
    [S_ROLLBACK_TO] = "ROLLBACK TO cscc_write",
    [S_AREA_DEL] = "DELETE FROM areas",
    [S_AREA_INS] = "INSERT INTO areas (number, name, side, geometry) VALUES (?1, ?2, ?3, ?4)",
    [S_AREA_EACH] = "SELECT number, name, side, CASE WHEN ?1 THEN geometry END "
                    "FROM areas ORDER BY number",
    [S_POP_DEL] = "DELETE FROM population",
    [S_POP_INS] = "INSERT INTO population (area, source, year, population) "
                  "VALUES (?1, ?2, ?3, ?4)",
    [S_POP_EACH] = "SELECT area, source, year, population FROM population "
                   "WHERE ?1 IS NULL OR source = ?1 ORDER BY source, area",
    [S_PRIO_DEL] = "DELETE FROM priority_areas WHERE list = ?1",
    [S_PRIO_INS] = "INSERT INTO priority_areas (list, position, area) VALUES (?1, ?2, ?3)",
    [S_PRIO_GET] = "SELECT area FROM priority_areas WHERE list = ?1 ORDER BY position",
    [S_IUCR_DEL] = "DELETE FROM iucr",
    [S_IUCR_INS] = "INSERT INTO iucr (iucr, primary_type, description, index_code, fbi_code) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_IUCR_EACH] = "SELECT iucr, primary_type, description, index_code, fbi_code "
                    "FROM iucr ORDER BY iucr",
    [S_CAT_DEL] = "DELETE FROM categories",
    [S_CAT_INS] = "INSERT INTO categories (name, label, fbi_codes, description) "
                  "VALUES (?1, ?2, ?3, ?4)",
    [S_CAT_EACH] = "SELECT name, label, fbi_codes, description FROM categories ORDER BY name",
    [S_CAT_GET] = "SELECT fbi_codes FROM categories WHERE name = ?1",
    [S_SET_PUT] = "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [S_SET_DEL] = "DELETE FROM settings WHERE key = ?1",
    [S_SET_GET] = "SELECT value FROM settings WHERE key = ?1",
    [S_IMP_BEGIN] = "INSERT INTO imports (dataset, files, started_at) VALUES (?1, ?2, ?3)",
    [S_IMP_FINISH] = "UPDATE imports SET finished_at = ?2, status = ?3, rows_read = ?4, "
                     "rows_new = ?5, rows_updated = ?6, rows_unchanged = ?7, "
                     "rows_rejected = ?8, rejects_by_reason = ?9, rejects_file = ?10, "
                     "message = ?11, generation = ?12, files = coalesce(?13, files) "
                     "WHERE id = ?1",
    [S_IMP_EACH] = "SELECT " IMPORT_COLUMNS " FROM imports "
                   "WHERE ?1 IS NULL OR dataset = ?1 ORDER BY id DESC LIMIT ?2",
    [S_IMP_GET] = "SELECT " IMPORT_COLUMNS " FROM imports WHERE id = ?1",
    [S_USER_ADD] = "INSERT INTO users (name, role, org_id, department, password_hash, disabled, "
                   "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    [S_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
    [S_USER_BY_NAME] = "SELECT " USER_COLUMNS " FROM users WHERE name = ?1",
    [S_USER_EACH] = "SELECT " USER_COLUMNS " FROM users ORDER BY name",
    [S_USER_UPDATE] = "UPDATE users SET role = ?2, org_id = ?3, department = ?4, "
                      "password_hash = ?5, disabled = ?6, updated_at = ?7 WHERE id = ?1",
    [S_CRED_ADD] = "INSERT INTO credentials (kind, user_id, hash, label, prefix, address, "
                   "created_at, last_used_at, expires_at, revoked_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_CRED_GET] = "SELECT " CRED_COLUMNS " FROM credentials WHERE hash = ?1",
    [S_CRED_TOUCH] = "UPDATE credentials SET last_used_at = ?2 WHERE id = ?1",
    [S_CRED_REVOKE] = "UPDATE credentials SET revoked_at = ?2 WHERE id = ?1 AND revoked_at = 0",
    [S_CRED_REVOKE_USER] = "UPDATE credentials SET revoked_at = ?3 "
                           "WHERE user_id = ?1 AND (?2 = 0 OR kind = ?2) AND revoked_at = 0",
    [S_CRED_EACH] = "SELECT " CRED_COLUMNS " FROM credentials "
                    "WHERE (?1 = 0 OR user_id = ?1) AND (?2 = 0 OR kind = ?2) ORDER BY id DESC",
    [S_CRED_PURGE] = "DELETE FROM credentials WHERE (revoked_at <> 0 AND revoked_at < ?1) OR "
                     "(kind = 1 AND expires_at < ?1)",
    [S_FAIL_ADD] = "INSERT INTO login_failures (scope, key, at) VALUES (?1, ?2, ?3)",
    [S_FAIL_COUNT] =
        "SELECT count(*) FROM login_failures WHERE scope = ?1 AND key = ?2 AND at >= ?3",
    [S_FAIL_CLEAR] = "DELETE FROM login_failures WHERE scope = ?1 AND (?2 IS NULL OR key = ?2) "
                     "AND (?3 = 0 OR at < ?3)",
    [S_AUDIT_ADD] = "INSERT INTO audit_log (at, actor, actor_id, address, action, object, outcome, "
                    "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_AUDIT_EACH] = "SELECT id, at, actor, actor_id, address, action, object, outcome, detail "
                     "FROM audit_log WHERE at >= ?1 AND (?2 IS NULL OR actor = ?2) "
                     "ORDER BY id LIMIT ?3",
};

struct sqlite_store {
    struct store base; /* first: a struct store * points here */
    sqlite3 *db;
    char *path;
    int version; /* schema version after migrations */
    /* SQLite rolled back the caller's transaction by itself (it does on
     * SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, ...): later writes and the
     * commit must fail rather than run in autocommit mode. */
    int aborted;
    sqlite3_stmt *stmts[S_COUNT]; /* prepared on first use */
    /* Statements of store_exec, cached by their text. */
    struct exec_slot {
        char *sql;
        uint64_t hash;
        uint64_t used; /* tick of the last use, to evict the least recent */
        sqlite3_stmt *stmt;
    } exec_cache[EXEC_CACHE_SLOTS];
    uint64_t exec_tick;
    /* Test hook CSCC_STORE_READONLY_FLAG: while the file it names exists,
     * each transaction starts with PRAGMA query_only on, so writes fail as
     * on a read-only database (SQLITE_READONLY), even for root. */
    char *ro_flag;
    int query_only; /* the connection's query_only setting */
};

static struct sqlite_store *sq(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * The CSCC code of SQLite result src; sys is the errno of the failed system
 * call (sqlite3_system_errno), 0 when unknown. A database that cannot be
 * written (SQLITE_READONLY and its extended codes, SQLITE_PERM, and I/O or
 * open failures for want of permission or on a read-only file system) is
 * CSCC_EROFS, so that callers can tell it from a bug or a refusal.
 */
static int code_of(int src, int sys)
{
    switch (src & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return CSCC_EBUSY;
    case SQLITE_NOMEM: return CSCC_ENOMEM;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return sys == EROFS || sys == EACCES || sys == EPERM ? CSCC_EROFS : CSCC_EIO;
    case SQLITE_FULL: return CSCC_EIO;
    case SQLITE_READONLY:
    case SQLITE_PERM: return CSCC_EROFS;
    case SQLITE_AUTH: return CSCC_EPERM;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE: return CSCC_EDATA;
    case SQLITE_TOOBIG: return CSCC_ELIMIT;
    default: return CSCC_ESTORE;
    }
}

/*
 * Fills err with "<formatted>: <sqlite3_errmsg>" and the CSCC code for the
 * SQLite result src; returns that code. Call it before anything else runs on
 * the connection, which would replace the message.
 */
static int db_fail(struct sqlite_store *s, int src, struct cscc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int db_fail(struct sqlite_store *s, int src, struct cscc_err *err, const char *fmt, ...)
{
    char what[256];
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src);
    const char *hint = "";
    int code;
    va_list ap;

    if (src == SQLITE_OK)
        src = SQLITE_ERROR;
    code = code_of(src, s->db ? sqlite3_system_errno(s->db) : 0);
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (src == SQLITE_CONSTRAINT_FOREIGNKEY)
        hint = " (population and priority lists may only name stored areas)";
    if (code == CSCC_EROFS)
        hint = " (the database cannot be written: make the database file, its directory and its "
               "-wal and -shm files writable by the server's user on a file system mounted "
               "read-write; nothing was stored)";
    return cscc_err_set(err, code, "%s: %s%s", what, msg, hint);
}

/*
 * The test hook CSCC_STORE_READONLY_FLAG (see struct sqlite_store): between
 * transactions, turns query_only on while the flag file exists, off when it
 * has gone. Does nothing without the hook.
 */
static void ro_hook(struct sqlite_store *s)
{
    int want;

    if (!s->ro_flag || !sqlite3_get_autocommit(s->db))
        return;
    want = access(s->ro_flag, F_OK) == 0;
    if (want != s->query_only &&
        sqlite3_exec(s->db, want ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0", NULL, NULL,
                     NULL) == SQLITE_OK)
        s->query_only = want;
}

/* ------------------------------------------------------------------------ */
/* Statement cache                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Gives the cached statement id, preparing it on first use. When the cached
 * one is in use (a callback of store_each_* calls back into the store), a
 * fresh one is prepared; stmt_done finalizes it.
 */
static int stmt_get(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt **out, const char *what,
                    struct cscc_err *err)
{
    sqlite3_stmt *stmt = s->stmts[id];
    unsigned flags = SQLITE_PREPARE_PERSISTENT;
    int src;

    ro_hook(s);
    if (stmt && !sqlite3_stmt_busy(stmt)) {
        *out = stmt;
        return 0;
    }
    if (stmt)
        flags = 0;
    stmt = NULL;
    src = sqlite3_prepare_v3(s->db, sql_text[id], -1, flags, &stmt, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(stmt);
        *out = NULL;
        return db_fail(s, src, err, "cannot %s", what);
    }
    if (!s->stmts[id])
        s->stmts[id] = stmt;
    *out = stmt;
    return 0;
}

/* Resets a statement from stmt_get (ending its read, if any) for its next use. */
static void stmt_done(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    if (stmt != s->stmts[id]) {
        sqlite3_finalize(stmt);
        return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* The error of a failed sqlite3_bind_* call. */
static int bind_error(struct sqlite_store *s)
{
    int src = sqlite3_extended_errcode(s->db);

    return src == SQLITE_OK ? SQLITE_ERROR : src;
}

/* Binds a required string: NULL binds SQL NULL, which NOT NULL then refuses. */
static int bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
    if (!v)
        return sqlite3_bind_null(stmt, i);
    return sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC);
}

/* Binds an optional string: NULL is stored as "". */
static int bind_opt(sqlite3_stmt *stmt, int i, const char *v)
{
    return sqlite3_bind_text(stmt, i, v ? v : "", -1, SQLITE_STATIC);
}

/* Steps a statement that returns no rows; SQLITE_OK or the error. */
static int step_done(sqlite3_stmt *stmt)
{
    int src = sqlite3_step(stmt);

    return src == SQLITE_DONE || src == SQLITE_ROW ? SQLITE_OK : src;
}

/*
 * A text column: "" for SQL NULL (or null_value), and *oom set when SQLite
 * could not convert the value for lack of memory.
 */
static const char *col_text(sqlite3_stmt *stmt, int i, const char *null_value, int *oom)
{
    const char *v;

    if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
        return null_value;
    v = (const char *)sqlite3_column_text(stmt, i);
    if (!v) {
        *oom = 1;
        return "";
    }
    return v;
}

/* Runs statement id (no bound values) to completion. what NULL: errors are not reported. */
static int run(struct sqlite_store *s, enum stmt_id id, const char *what, struct cscc_err *err)
{
    sqlite3_stmt *stmt;
    int rc, src;

    if ((rc = stmt_get(s, id, &stmt, what ? what : "run a statement", what ? err : NULL)))
        return rc;
    src = step_done(stmt);
    if (src != SQLITE_OK)
        rc = db_fail(s, src, what ? err : NULL, "cannot %s", what ? what : "run a statement");
    stmt_done(s, id, stmt);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

/*
 * Starts one write: its own transaction (BEGIN IMMEDIATE takes the write lock
 * at once, so a busy database waits busy_timeout rather than failing half-way)
 * or, inside the caller's transaction, a savepoint, so that a failing write
 * undoes only itself.
 */
static int write_begin(struct sqlite_store *s, const char *what, struct cscc_err *err)
{
    if (!s->base.txn)
        return run(s, S_BEGIN, what, err);
    if (s->aborted)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot %s: the transaction was rolled back after an earlier error",
                            what);
    return run(s, S_SAVEPOINT, what, err);
}

/*
 * Ends a write begun by write_begin: commits (or releases the savepoint) when
 * rc is 0, else rolls it back so the stored data is as before. Returns rc, or
 * the commit's error.
 */
static int write_end(struct sqlite_store *s, int rc, const char *what, struct cscc_err *err)
{
    if (!rc) {
        rc = run(s, s->base.txn ? S_RELEASE : S_COMMIT, what, err);
        if (!rc)
            return 0;
    }
    if (sqlite3_get_autocommit(s->db)) {
        /* SQLite has already rolled back the whole transaction. */
        if (s->base.txn)
            s->aborted = 1;
        return rc;
    }
    if (s->base.txn) {
        run(s, S_ROLLBACK_TO, NULL, NULL);
        run(s, S_RELEASE, NULL, NULL);
    } else {
        run(s, S_ROLLBACK, NULL, NULL);
    }
    return rc;
}

static int sq_begin(struct store *st, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    int rc = run(s, S_BEGIN, "begin a transaction", err);

    if (!rc) {
        st->txn = 1;
        s->aborted = 0;
    }
    return rc;
}

static int sq_commit(struct store *st, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    int rc;

    if (s->aborted) {
        rc = cscc_err_set(err, CSCC_ESTORE,
                          "cannot commit: the transaction was rolled back after an earlier error");
    } else {
        rc = run(s, S_COMMIT, "commit", err);
        /* A deferred foreign key failure leaves the transaction open. */
        if (rc && !sqlite3_get_autocommit(s->db))
            run(s, S_ROLLBACK, NULL, NULL);
    }
    st->txn = 0;
    s->aborted = 0;
    return rc;
}

static int sq_rollback(struct store *st)
{
    struct sqlite_store *s = sq(st);
    int rc = 0;

    if (!sqlite3_get_autocommit(s->db))
        rc = run(s, S_ROLLBACK, NULL, NULL);
    st->txn = 0;
    s->aborted = 0;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Reference data: writes                                                    */
/* ------------------------------------------------------------------------ */

/*
 * One replacement of a reference table: the old rows are deleted (del, with
 * bind_del binding its values when it has any) and ins runs once for each of
 * the n records, bind() binding record i. describe() names a record in an
 * error message. The whole is one write: all of it is stored, or none.
 */
struct put_spec {
    enum stmt_id del, ins;
    int (*bind_del)(sqlite3_stmt *stmt, const void *ctx, size_t unused);
    int (*bind)(sqlite3_stmt *stmt, const void *ctx, size_t i);
    void (*describe)(char *buf, size_t cap, const void *ctx, size_t i);
};

/* Runs statement id with values bound by bind (NULL: none) to completion. */
static int run_bound(struct sqlite_store *s, enum stmt_id id,
                     int (*bind)(sqlite3_stmt *stmt, const void *ctx, size_t i), const void *ctx,
                     size_t i, const char *what, char *label, size_t label_cap,
                     void (*describe)(char *, size_t, const void *, size_t), struct cscc_err *err)
{
    sqlite3_stmt *stmt;
    int rc, src;

    if ((rc = stmt_get(s, id, &stmt, what, err)))
        return rc;
    if (bind && bind(stmt, ctx, i))
        src = bind_error(s);
    else
        src = step_done(stmt);
    if (src != SQLITE_OK) {
        if (describe) {
            describe(label, label_cap, ctx, i);
            rc = db_fail(s, src, err, "cannot %s: %s", what, label);
        } else {
            rc = db_fail(s, src, err, "cannot %s", what);
        }
    }
    stmt_done(s, id, stmt);
    return rc;
}

static int put_rows(struct sqlite_store *s, const char *what, const struct put_spec *spec,
                    const void *ctx, size_t n, struct cscc_err *err)
{
    char label[160];
    size_t i;
    int rc;

    if ((rc = write_begin(s, what, err)))
        return rc;
    rc = run_bound(s, spec->del, spec->bind_del, ctx, 0, what, label, sizeof(label), NULL, err);
    for (i = 0; !rc && i < n; i++)
        rc = run_bound(s, spec->ins, spec->bind, ctx, i, what, label, sizeof(label), spec->describe,
                       err);
    return write_end(s, rc, what, err);
}

static int area_bind(sqlite3_stmt *stmt, const void *ctx, size_t i)
{
    const struct store_area *a = (const struct store_area *)ctx + i;

    return sqlite3_bind_int(stmt, 1, a->number) || bind_text(stmt, 2, a->name) ||
           bind_opt(stmt, 3, a->side) || bind_text(stmt, 4, a->geometry);
}

static void area_describe(char *buf, size_t cap, const void *ctx, size_t i)
{
    snprintf(buf, cap, "record %zu (number %d)", i + 1, ((const struct store_area *)ctx)[i].number);
}

static int sq_put_areas(struct store *st, const struct store_area *a, size_t n,
                        struct cscc_err *err)
{
    static const struct put_spec spec = {S_AREA_DEL, S_AREA_INS, NULL, area_bind, area_describe};

    return put_rows(sq(st), "store areas", &spec, a, n, err);
}

static int pop_bind(sqlite3_stmt *stmt, const void *ctx, size_t i)
{
    const struct store_population *p = (const struct store_population *)ctx + i;

    return sqlite3_bind_int(stmt, 1, p->area) || bind_text(stmt, 2, p->source) ||
           sqlite3_bind_int(stmt, 3, p->year) || sqlite3_bind_int64(stmt, 4, p->population);
}

static void pop_describe(char *buf, size_t cap, const void *ctx, size_t i)
{
    const struct store_population *p = (const struct store_population *)ctx + i;

    snprintf(buf, cap, "record %zu (area %d, source '%s')", i + 1, p->area,
             p->source ? p->source : "");
}

static int sq_put_population(struct store *st, const struct store_population *p, size_t n,
                             struct cscc_err *err)
{
    static const struct put_spec spec = {S_POP_DEL, S_POP_INS, NULL, pop_bind, pop_describe};

    return put_rows(sq(st), "store population", &spec, p, n, err);
}

struct prio_put {
    const char *list;
    const int *areas;
};

static int prio_bind_del(sqlite3_stmt *stmt, const void *ctx, size_t unused)
{
    (void)unused;
    return bind_text(stmt, 1, ((const struct prio_put *)ctx)->list);
}

static int prio_bind(sqlite3_stmt *stmt, const void *ctx, size_t i)
{
    const struct prio_put *p = ctx;

    return bind_text(stmt, 1, p->list) || sqlite3_bind_int64(stmt, 2, (sqlite3_int64)i) ||
           sqlite3_bind_int(stmt, 3, p->areas[i]);
}

static void prio_describe(char *buf, size_t cap, const void *ctx, size_t i)
{
    snprintf(buf, cap, "position %zu (area %d)", i + 1, ((const struct prio_put *)ctx)->areas[i]);
}

static int sq_put_priority(struct store *st, const char *list, const int *areas, size_t n,
                           struct cscc_err *err)
{
    static const struct put_spec spec = {S_PRIO_DEL, S_PRIO_INS, prio_bind_del, prio_bind,
                                         prio_describe};
    struct prio_put p = {list, areas};
    char what[128];

    snprintf(what, sizeof(what), "store priority list '%s'", list);
    return put_rows(sq(st), what, &spec, &p, n, err);
}

static int iucr_bind(sqlite3_stmt *stmt, const void *ctx, size_t i)
{
    const struct store_iucr *c = (const struct store_iucr *)ctx + i;

    return bind_text(stmt, 1, c->iucr) || bind_text(stmt, 2, c->primary_type) ||
           bind_opt(stmt, 3, c->description) || bind_text(stmt, 4, c->index_code) ||
           bind_opt(stmt, 5, c->fbi_code);
}

static void iucr_describe(char *buf, size_t cap, const void *ctx, size_t i)
{
    const struct store_iucr *c = (const struct store_iucr *)ctx + i;

    snprintf(buf, cap, "record %zu (iucr '%s')", i + 1, c->iucr ? c->iucr : "");
}

static int sq_put_iucr(struct store *st, const struct store_iucr *c, size_t n, struct cscc_err *err)
{
    static const struct put_spec spec = {S_IUCR_DEL, S_IUCR_INS, NULL, iucr_bind, iucr_describe};

    return put_rows(sq(st), "store iucr codes", &spec, c, n, err);
}

static int cat_bind(sqlite3_stmt *stmt, const void *ctx, size_t i)
{
    const struct store_category *c = (const struct store_category *)ctx + i;

    return bind_text(stmt, 1, c->name) || bind_opt(stmt, 2, c->label) ||
           bind_text(stmt, 3, c->fbi_codes) || bind_opt(stmt, 4, c->description);
}

static void cat_describe(char *buf, size_t cap, const void *ctx, size_t i)
{
    const struct store_category *c = (const struct store_category *)ctx + i;

    snprintf(buf, cap, "record %zu (name '%s')", i + 1, c->name ? c->name : "");
}

static int sq_put_categories(struct store *st, const struct store_category *c, size_t n,
                             struct cscc_err *err)
{
    static const struct put_spec spec = {S_CAT_DEL, S_CAT_INS, NULL, cat_bind, cat_describe};

    return put_rows(sq(st), "store categories", &spec, c, n, err);
}

/* ------------------------------------------------------------------------ */
/* Reference data: reads                                                     */
/* ------------------------------------------------------------------------ */

static int out_of_memory(const char *what, struct cscc_err *err)
{
    return cscc_err_set(err, CSCC_ENOMEM, "cannot %s: out of memory reading a value", what);
}

/*
 * Decodes the current row into a record and hands it to the caller's
 * callback (ctx holds both). Sets *oom, and does not call back, when a value
 * could not be read for lack of memory.
 */
typedef int (*row_fn)(sqlite3_stmt *stmt, void *ctx, int *oom);

/*
 * Steps statement id (from stmt_get; bound is the result of binding its
 * values) through its rows, handing each to row(); stops at the first
 * non-zero value it returns and gives that back. *rows (may be NULL) counts
 * the rows handed on. Releases the statement.
 */
static int each_row(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt *stmt, int bound,
                    row_fn row, void *ctx, size_t *rows, const char *what, struct cscc_err *err)
{
    int rc = 0, src;
    size_t seen = 0;

    if (bound) {
        rc = db_fail(s, bind_error(s), err, "cannot %s", what);
    } else {
        while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
            int oom = 0;

            rc = row(stmt, ctx, &oom);
            if (oom) {
                rc = out_of_memory(what, err);
                break;
            }
            seen++;
            if (rc)
                break;
        }
        if (!rc && src != SQLITE_DONE && src != SQLITE_ROW)
            rc = db_fail(s, src, err, "cannot %s", what);
    }
    stmt_done(s, id, stmt);
    if (rows)
        *rows = seen;
    return rc;
}

/* The caller's callback and its argument, for the row functions. */
#define EACH_CTX(type)                                                                             \
    struct {                                                                                       \
        type fn;                                                                                   \
        void *arg;                                                                                 \
    }

static int area_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_area_fn) *c = ctx;
    struct store_area a;

    a.number = sqlite3_column_int(stmt, 0);
    a.name = col_text(stmt, 1, "", oom);
    a.side = col_text(stmt, 2, "", oom);
    a.geometry = col_text(stmt, 3, NULL, oom);
    return *oom ? 0 : c->fn(c->arg, &a);
}

static int sq_each_area(struct store *st, int with_geometry, store_area_fn fn, void *arg,
                        struct cscc_err *err)
{
    static const char what[] = "read areas";
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_area_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_AREA_EACH, &stmt, what, err)))
        return rc;
    return each_row(s, S_AREA_EACH, stmt, sqlite3_bind_int(stmt, 1, with_geometry != 0), area_row,
                    &c, NULL, what, err);
}

static int pop_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_population_fn) *c = ctx;
    struct store_population p;

    p.area = sqlite3_column_int(stmt, 0);
    p.source = col_text(stmt, 1, "", oom);
    p.year = sqlite3_column_int(stmt, 2);
    p.population = sqlite3_column_int64(stmt, 3);
    return *oom ? 0 : c->fn(c->arg, &p);
}

static int sq_each_population(struct store *st, const char *source, store_population_fn fn,
                              void *arg, struct cscc_err *err)
{
    static const char what[] = "read population";
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_population_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_POP_EACH, &stmt, what, err)))
        return rc;
    return each_row(s, S_POP_EACH, stmt, bind_text(stmt, 1, source), pop_row, &c, NULL, what, err);
}

struct prio_get {
    int *areas;
    size_t cap, count;
};

static int prio_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    struct prio_get *g = ctx;

    (void)oom;
    if (g->count < g->cap)
        g->areas[g->count] = sqlite3_column_int(stmt, 0);
    g->count++;
    return 0;
}

static int sq_get_priority(struct store *st, const char *list, int *areas, size_t cap, size_t *n,
                           struct cscc_err *err)
{
    static const char what[] = "read priority areas";
    struct sqlite_store *s = sq(st);
    struct prio_get g = {areas, cap, 0};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_PRIO_GET, &stmt, what, err)))
        return rc;
    if ((rc = each_row(s, S_PRIO_GET, stmt, bind_text(stmt, 1, list), prio_row, &g, NULL, what,
                       err)))
        return rc;
    *n = g.count;
    if (g.count > cap)
        return cscc_err_set(err, CSCC_ELIMIT,
                            "priority list '%s' has %zu areas, more than the %zu asked for", list,
                            g.count, cap);
    return 0;
}

static int iucr_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_iucr_fn) *c = ctx;
    struct store_iucr r;

    r.iucr = col_text(stmt, 0, "", oom);
    r.primary_type = col_text(stmt, 1, "", oom);
    r.description = col_text(stmt, 2, "", oom);
    r.index_code = col_text(stmt, 3, "", oom);
    r.fbi_code = col_text(stmt, 4, "", oom);
    return *oom ? 0 : c->fn(c->arg, &r);
}

static int sq_each_iucr(struct store *st, store_iucr_fn fn, void *arg, struct cscc_err *err)
{
    static const char what[] = "read iucr codes";
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_iucr_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_IUCR_EACH, &stmt, what, err)))
        return rc;
    return each_row(s, S_IUCR_EACH, stmt, 0, iucr_row, &c, NULL, what, err);
}

static int cat_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_category_fn) *c = ctx;
    struct store_category r;

    r.name = col_text(stmt, 0, "", oom);
    r.label = col_text(stmt, 1, "", oom);
    r.fbi_codes = col_text(stmt, 2, "", oom);
    r.description = col_text(stmt, 3, "", oom);
    return *oom ? 0 : c->fn(c->arg, &r);
}

static int sq_each_category(struct store *st, store_category_fn fn, void *arg, struct cscc_err *err)
{
    static const char what[] = "read categories";
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_category_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_CAT_EACH, &stmt, what, err)))
        return rc;
    return each_row(s, S_CAT_EACH, stmt, 0, cat_row, &c, NULL, what, err);
}

/*
 * Runs a one-text-column lookup of key and copies the value into buf.
 * CSCC_ENOENT when there is no row, CSCC_ELIMIT when buf is too small
 * (buf is then "").
 */
static int get_text(struct sqlite_store *s, enum stmt_id id, const char *key, char *buf, size_t cap,
                    const char *what, const char *missing, struct cscc_err *err)
{
    sqlite3_stmt *stmt;
    int rc, src;

    if ((rc = stmt_get(s, id, &stmt, what, err)))
        return rc;
    if (bind_text(stmt, 1, key)) {
        rc = db_fail(s, bind_error(s), err, "cannot %s", what);
    } else if ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
        int oom = 0;
        const char *v = col_text(stmt, 0, "", &oom);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 0);

        if (oom)
            rc = out_of_memory(what, err);
        else if (len >= cap)
            rc = cscc_err_set(err, CSCC_ELIMIT, "cannot %s: the value has %zu bytes, room for %zu",
                              what, len, cap - 1);
        else
            memcpy(buf, v, len + 1);
    } else if (src == SQLITE_DONE) {
        rc = cscc_err_set(err, CSCC_ENOENT, "%s", missing);
    } else {
        rc = db_fail(s, src, err, "cannot %s", what);
    }
    stmt_done(s, id, stmt);
    return rc;
}

static int sq_get_category(struct store *st, const char *name, char *fbi_codes, size_t cap,
                           struct cscc_err *err)
{
    char what[128], missing[128];

    snprintf(what, sizeof(what), "read category '%s'", name);
    snprintf(missing, sizeof(missing), "no category named '%s'", name);
    return get_text(sq(st), S_CAT_GET, name, fbi_codes, cap, what, missing, err);
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                  */
/* ------------------------------------------------------------------------ */

static int sq_set_setting(struct store *st, const char *key, const char *value,
                          struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    enum stmt_id id = value ? S_SET_PUT : S_SET_DEL;
    sqlite3_stmt *stmt;
    char what[128];
    int rc, src;

    snprintf(what, sizeof(what), "store setting '%s'", key);
    if ((rc = write_begin(s, what, err)))
        return rc;
    if (!(rc = stmt_get(s, id, &stmt, what, err))) {
        if (bind_text(stmt, 1, key) || (value && bind_text(stmt, 2, value)))
            src = bind_error(s);
        else
            src = step_done(stmt);
        if (src != SQLITE_OK)
            rc = db_fail(s, src, err, "cannot %s", what);
        stmt_done(s, id, stmt);
    }
    return write_end(s, rc, what, err);
}

static int sq_get_setting(struct store *st, const char *key, char *buf, size_t cap,
                          struct cscc_err *err)
{
    char what[128], missing[128];

    snprintf(what, sizeof(what), "read setting '%s'", key);
    snprintf(missing, sizeof(missing), "setting '%s' is not set", key);
    return get_text(sq(st), S_SET_GET, key, buf, cap, what, missing, err);
}

static int pragma(struct sqlite_store *s, const char *sql, char *text, size_t cap, int64_t *num,
                  struct cscc_err *err);

static int sq_data_version(struct store *st, int64_t *version, struct cscc_err *err)
{
    return pragma(sq(st), "PRAGMA data_version", NULL, 0, version, err);
}

/* ------------------------------------------------------------------------ */
/* Import provenance                                                         */
/* ------------------------------------------------------------------------ */

static int sq_import_begin(struct store *st, const char *dataset, const char *files_json,
                           int64_t *id, struct cscc_err *err)
{
    static const char what[] = "record import start";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int64_t new_id = 0;
    int rc, src;

    /* Outside a transaction (store.c sees to it), write_end commits; with
     * synchronous=FULL the WAL is synced before COMMIT returns. */
    if ((rc = write_begin(s, what, err)))
        return rc;
    if (!(rc = stmt_get(s, S_IMP_BEGIN, &stmt, what, err))) {
        if (bind_text(stmt, 1, dataset) || bind_text(stmt, 2, files_json ? files_json : "[]") ||
            sqlite3_bind_int64(stmt, 3, (sqlite3_int64)time(NULL)))
            src = bind_error(s);
        else
            src = step_done(stmt);
        if (src != SQLITE_OK)
            rc = db_fail(s, src, err, "cannot %s of dataset '%s'", what, dataset);
        else
            new_id = sqlite3_last_insert_rowid(s->db);
        stmt_done(s, S_IMP_BEGIN, stmt);
    }
    if ((rc = write_end(s, rc, what, err)))
        return rc;
    *id = new_id;
    return 0;
}

static int sq_import_finish(struct store *st, int64_t id, const struct store_import *imp,
                            struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int64_t finished = imp->finished_at;
    char what[96];
    int rc, src;

    if (!finished && imp->status != STORE_IMPORT_RUNNING)
        finished = (int64_t)time(NULL);
    snprintf(what, sizeof(what), "record end of import %lld", (long long)id);
    if ((rc = write_begin(s, what, err)))
        return rc;
    if (!(rc = stmt_get(s, S_IMP_FINISH, &stmt, what, err))) {
        if (sqlite3_bind_int64(stmt, 1, id) || sqlite3_bind_int64(stmt, 2, finished) ||
            sqlite3_bind_int(stmt, 3, (int)imp->status) ||
            sqlite3_bind_int64(stmt, 4, imp->rows_read) ||
            sqlite3_bind_int64(stmt, 5, imp->rows_new) ||
            sqlite3_bind_int64(stmt, 6, imp->rows_updated) ||
            sqlite3_bind_int64(stmt, 7, imp->rows_unchanged) ||
            sqlite3_bind_int64(stmt, 8, imp->rows_rejected) ||
            bind_opt(stmt, 9, imp->rejects_by_reason) || bind_opt(stmt, 10, imp->rejects_file) ||
            bind_opt(stmt, 11, imp->message) || sqlite3_bind_int64(stmt, 12, imp->generation) ||
            (imp->files ? bind_text(stmt, 13, imp->files) : sqlite3_bind_null(stmt, 13)))
            src = bind_error(s);
        else
            src = step_done(stmt);
        if (src != SQLITE_OK)
            rc = db_fail(s, src, err, "cannot %s", what);
        else if (sqlite3_changes(s->db) == 0)
            rc = cscc_err_set(err, CSCC_ENOENT, "cannot %s: no import with that id", what);
        stmt_done(s, S_IMP_FINISH, stmt);
    }
    return write_end(s, rc, what, err);
}

static int import_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_import_fn) *c = ctx;
    struct store_import imp;

    imp.id = sqlite3_column_int64(stmt, 0);
    imp.dataset = col_text(stmt, 1, "", oom);
    imp.files = col_text(stmt, 2, "", oom);
    imp.started_at = sqlite3_column_int64(stmt, 3);
    imp.finished_at = sqlite3_column_int64(stmt, 4);
    imp.status = (enum store_import_status)sqlite3_column_int(stmt, 5);
    imp.rows_read = sqlite3_column_int64(stmt, 6);
    imp.rows_new = sqlite3_column_int64(stmt, 7);
    imp.rows_updated = sqlite3_column_int64(stmt, 8);
    imp.rows_unchanged = sqlite3_column_int64(stmt, 9);
    imp.rows_rejected = sqlite3_column_int64(stmt, 10);
    imp.rejects_by_reason = col_text(stmt, 11, "", oom);
    imp.rejects_file = col_text(stmt, 12, "", oom);
    imp.message = col_text(stmt, 13, "", oom);
    imp.generation = sqlite3_column_int64(stmt, 14);
    return *oom ? 0 : c->fn(c->arg, &imp);
}

static int sq_each_import(struct store *st, const char *dataset, size_t limit, store_import_fn fn,
                          void *arg, struct cscc_err *err)
{
    static const char what[] = "read imports";
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_import_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_IMP_EACH, &stmt, what, err)))
        return rc;
    /* LIMIT -1 means no limit to SQLite. */
    return each_row(s, S_IMP_EACH, stmt,
                    bind_text(stmt, 1, dataset) ||
                        sqlite3_bind_int64(
                            stmt, 2, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit),
                    import_row, &c, NULL, what, err);
}

static int sq_get_import(struct store *st, int64_t id, store_import_fn fn, void *arg,
                         struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_import_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    char what[64];
    size_t rows = 0;
    int rc;

    snprintf(what, sizeof(what), "read import %lld", (long long)id);
    if ((rc = stmt_get(s, S_IMP_GET, &stmt, what, err)))
        return rc;
    rc = each_row(s, S_IMP_GET, stmt, sqlite3_bind_int64(stmt, 1, id), import_row, &c, &rows, what,
                  err);
    if (!rc && !rows)
        rc = cscc_err_set(err, CSCC_ENOENT, "no import with id %lld", (long long)id);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Users, credentials, login failures, audit                                 */
/* ------------------------------------------------------------------------ */

/* Binds the values of one write; returns non-zero when a bind failed. */
typedef int (*bind_fn)(sqlite3_stmt *stmt, const void *ctx);

/*
 * One write of statement id as its own transaction (or savepoint): binds,
 * steps, and gives the rows changed and the last rowid. A constraint
 * failure of a UNIQUE index is CSCC_EEXIST, of a CHECK CSCC_EDATA.
 */
static int write_one(struct sqlite_store *s, enum stmt_id id, const char *what, bind_fn bind,
                     const void *ctx, int64_t *changes, int64_t *rowid, struct cscc_err *err)
{
    sqlite3_stmt *stmt;
    int rc, src;

    if ((rc = write_begin(s, what, err)))
        return rc;
    if (!(rc = stmt_get(s, id, &stmt, what, err))) {
        src = bind(stmt, ctx) ? bind_error(s) : step_done(stmt);
        if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
            rc = cscc_err_set(err, CSCC_EEXIST, "cannot %s: it exists already", what);
        else if (src != SQLITE_OK)
            rc = db_fail(s, src, err, "cannot %s", what);
        if (!rc && changes)
            *changes = sqlite3_changes(s->db);
        if (!rc && rowid)
            *rowid = sqlite3_last_insert_rowid(s->db);
        stmt_done(s, id, stmt);
    }
    return write_end(s, rc, what, err);
}

static int user_bind_add(sqlite3_stmt *stmt, const void *ctx)
{
    const struct store_user *u = ctx;

    return bind_text(stmt, 1, u->name) || bind_text(stmt, 2, u->role) ||
           sqlite3_bind_int64(stmt, 3, u->org_id) || bind_opt(stmt, 4, u->department) ||
           bind_opt(stmt, 5, u->password_hash) || sqlite3_bind_int(stmt, 6, u->disabled != 0) ||
           sqlite3_bind_int64(stmt, 7, (sqlite3_int64)time(NULL));
}

static int sq_user_add(struct store *st, const struct store_user *u, int64_t *id,
                       struct cscc_err *err)
{
    char what[128];

    snprintf(what, sizeof(what), "add user '%s'", u->name);
    return write_one(sq(st), S_USER_ADD, what, user_bind_add, u, NULL, id, err);
}

static int user_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_user_fn) *c = ctx;
    struct store_user u;

    u.id = sqlite3_column_int64(stmt, 0);
    u.name = col_text(stmt, 1, "", oom);
    u.role = col_text(stmt, 2, "", oom);
    u.org_id = sqlite3_column_int64(stmt, 3);
    u.department = col_text(stmt, 4, "", oom);
    u.password_hash = col_text(stmt, 5, "", oom);
    u.disabled = sqlite3_column_int(stmt, 6);
    u.created_at = sqlite3_column_int64(stmt, 7);
    u.updated_at = sqlite3_column_int64(stmt, 8);
    return *oom ? 0 : c->fn(c->arg, &u);
}

static int sq_user_get(struct store *st, int64_t id, const char *name, store_user_fn fn, void *arg,
                       struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_user_fn) c = {fn, arg};
    enum stmt_id sid = name ? S_USER_BY_NAME : S_USER_BY_ID;
    sqlite3_stmt *stmt;
    size_t rows = 0;
    int rc;

    if ((rc = stmt_get(s, sid, &stmt, "read a user", err)))
        return rc;
    rc = each_row(s, sid, stmt, name ? bind_text(stmt, 1, name) : sqlite3_bind_int64(stmt, 1, id),
                  user_row, &c, &rows, "read a user", err);
    if (!rc && !rows) {
        if (name)
            rc = cscc_err_set(err, CSCC_ENOENT, "no user named '%s'", name);
        else
            rc = cscc_err_set(err, CSCC_ENOENT, "no user with id %lld", (long long)id);
    }
    return rc;
}

static int sq_each_user(struct store *st, store_user_fn fn, void *arg, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_user_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_USER_EACH, &stmt, "read users", err)))
        return rc;
    return each_row(s, S_USER_EACH, stmt, 0, user_row, &c, NULL, "read users", err);
}

static int user_bind_update(sqlite3_stmt *stmt, const void *ctx)
{
    const struct store_user *u = ctx;

    return sqlite3_bind_int64(stmt, 1, u->id) || bind_text(stmt, 2, u->role) ||
           sqlite3_bind_int64(stmt, 3, u->org_id) || bind_opt(stmt, 4, u->department) ||
           bind_opt(stmt, 5, u->password_hash) || sqlite3_bind_int(stmt, 6, u->disabled != 0) ||
           sqlite3_bind_int64(stmt, 7, (sqlite3_int64)time(NULL));
}

static int sq_user_update(struct store *st, const struct store_user *u, struct cscc_err *err)
{
    char what[96];
    int64_t n = 0;
    int rc;

    snprintf(what, sizeof(what), "update user %lld", (long long)u->id);
    if ((rc = write_one(sq(st), S_USER_UPDATE, what, user_bind_update, u, &n, NULL, err)))
        return rc;
    return n ? 0 : cscc_err_set(err, CSCC_ENOENT, "no user with id %lld", (long long)u->id);
}

static int cred_bind_add(sqlite3_stmt *stmt, const void *ctx)
{
    const struct store_cred *c = ctx;

    return sqlite3_bind_int(stmt, 1, c->kind) || sqlite3_bind_int64(stmt, 2, c->user_id) ||
           sqlite3_bind_blob(stmt, 3, c->hash, STORE_CRED_HASH_LEN, SQLITE_STATIC) ||
           bind_opt(stmt, 4, c->label) || bind_opt(stmt, 5, c->prefix) ||
           bind_opt(stmt, 6, c->address) || sqlite3_bind_int64(stmt, 7, c->created_at) ||
           sqlite3_bind_int64(stmt, 8, c->last_used_at) ||
           sqlite3_bind_int64(stmt, 9, c->expires_at) ||
           sqlite3_bind_int64(stmt, 10, c->revoked_at);
}

static int sq_cred_add(struct store *st, const struct store_cred *c, int64_t *id,
                       struct cscc_err *err)
{
    return write_one(sq(st), S_CRED_ADD, "store a credential", cred_bind_add, c, NULL, id, err);
}

static int cred_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_cred_fn) *c = ctx;
    struct store_cred r;

    r.id = sqlite3_column_int64(stmt, 0);
    r.kind = sqlite3_column_int(stmt, 1);
    r.user_id = sqlite3_column_int64(stmt, 2);
    r.hash = sqlite3_column_blob(stmt, 3);
    if (sqlite3_column_bytes(stmt, 3) != STORE_CRED_HASH_LEN || !r.hash)
        *oom = 1;
    r.label = col_text(stmt, 4, "", oom);
    r.prefix = col_text(stmt, 5, "", oom);
    r.address = col_text(stmt, 6, "", oom);
    r.created_at = sqlite3_column_int64(stmt, 7);
    r.last_used_at = sqlite3_column_int64(stmt, 8);
    r.expires_at = sqlite3_column_int64(stmt, 9);
    r.revoked_at = sqlite3_column_int64(stmt, 10);
    return *oom ? 0 : c->fn(c->arg, &r);
}

static int sq_cred_get(struct store *st, const uint8_t *hash, store_cred_fn fn, void *arg,
                       struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_cred_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    size_t rows = 0;
    int rc;

    if ((rc = stmt_get(s, S_CRED_GET, &stmt, "read a credential", err)))
        return rc;
    rc = each_row(s, S_CRED_GET, stmt,
                  sqlite3_bind_blob(stmt, 1, hash, STORE_CRED_HASH_LEN, SQLITE_STATIC), cred_row,
                  &c, &rows, "read a credential", err);
    if (!rc && !rows)
        rc = cscc_err_set(err, CSCC_ENOENT, "no such session or token");
    return rc;
}

struct id_time {
    int64_t id, t, kind;
};

static int bind_id_time(sqlite3_stmt *stmt, const void *ctx)
{
    const struct id_time *v = ctx;

    return sqlite3_bind_int64(stmt, 1, v->id) || sqlite3_bind_int64(stmt, 2, v->t);
}

static int sq_cred_touch(struct store *st, int64_t id, int64_t now, struct cscc_err *err)
{
    struct id_time v = {id, now, 0};
    int64_t n = 0;
    int rc;

    if ((rc = write_one(sq(st), S_CRED_TOUCH, "record a credential's use", bind_id_time, &v, &n,
                        NULL, err)))
        return rc;
    return n ? 0 : cscc_err_set(err, CSCC_ENOENT, "no credential with id %lld", (long long)id);
}

static int sq_cred_revoke(struct store *st, int64_t id, int64_t now, struct cscc_err *err)
{
    struct id_time v = {id, now, 0};
    int64_t n = 0;
    int rc;

    if ((rc = write_one(sq(st), S_CRED_REVOKE, "revoke a credential", bind_id_time, &v, &n, NULL,
                        err)))
        return rc;
    return n ? 0
             : cscc_err_set(err, CSCC_ENOENT, "no live session or token with id %lld",
                            (long long)id);
}

static int bind_revoke_user(sqlite3_stmt *stmt, const void *ctx)
{
    const struct id_time *v = ctx;

    return sqlite3_bind_int64(stmt, 1, v->id) || sqlite3_bind_int64(stmt, 2, v->kind) ||
           sqlite3_bind_int64(stmt, 3, v->t);
}

static int sq_cred_revoke_user(struct store *st, int64_t user_id, int kind, int64_t now, size_t *n,
                               struct cscc_err *err)
{
    struct id_time v = {user_id, now, kind};
    int64_t k = 0;
    int rc = write_one(sq(st), S_CRED_REVOKE_USER, "revoke a user's credentials", bind_revoke_user,
                       &v, &k, NULL, err);

    *n = rc ? 0 : (size_t)k;
    return rc;
}

static int sq_each_cred(struct store *st, int64_t user_id, int kind, store_cred_fn fn, void *arg,
                        struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_cred_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_CRED_EACH, &stmt, "read credentials", err)))
        return rc;
    return each_row(s, S_CRED_EACH, stmt,
                    sqlite3_bind_int64(stmt, 1, user_id) || sqlite3_bind_int(stmt, 2, kind),
                    cred_row, &c, NULL, "read credentials", err);
}

static int bind_time1(sqlite3_stmt *stmt, const void *ctx)
{
    return sqlite3_bind_int64(stmt, 1, *(const int64_t *)ctx);
}

static int sq_cred_purge(struct store *st, int64_t before, size_t *n, struct cscc_err *err)
{
    int64_t k = 0;
    int rc =
        write_one(sq(st), S_CRED_PURGE, "purge old sessions", bind_time1, &before, &k, NULL, err);

    *n = rc ? 0 : (size_t)k;
    return rc;
}

struct failure {
    const char *scope, *key;
    int64_t at;
};

static int bind_failure(sqlite3_stmt *stmt, const void *ctx)
{
    const struct failure *f = ctx;

    return bind_text(stmt, 1, f->scope) ||
           (f->key ? bind_text(stmt, 2, f->key) : sqlite3_bind_null(stmt, 2)) ||
           sqlite3_bind_int64(stmt, 3, f->at);
}

static int sq_failure_add(struct store *st, const char *scope, const char *key, int64_t at,
                          struct cscc_err *err)
{
    struct failure f = {scope, key, at};

    return write_one(sq(st), S_FAIL_ADD, "record a login failure", bind_failure, &f, NULL, NULL,
                     err);
}

static int count_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    (void)oom;
    *(int64_t *)ctx = sqlite3_column_int64(stmt, 0);
    return 0;
}

static int sq_failure_count(struct store *st, const char *scope, const char *key, int64_t since,
                            int64_t *n, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    struct failure f = {scope, key, since};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_FAIL_COUNT, &stmt, "count login failures", err)))
        return rc;
    return each_row(s, S_FAIL_COUNT, stmt, bind_failure(stmt, &f), count_row, n, NULL,
                    "count login failures", err);
}

static int sq_failure_clear(struct store *st, const char *scope, const char *key, int64_t before,
                            struct cscc_err *err)
{
    struct failure f = {scope, key, before};

    return write_one(sq(st), S_FAIL_CLEAR, "forget login failures", bind_failure, &f, NULL, NULL,
                     err);
}

static int audit_bind(sqlite3_stmt *stmt, const void *ctx)
{
    const struct store_audit *a = ctx;

    return sqlite3_bind_int64(stmt, 1, a->at ? a->at : (sqlite3_int64)time(NULL)) ||
           bind_opt(stmt, 2, a->actor) || sqlite3_bind_int64(stmt, 3, a->actor_id) ||
           bind_opt(stmt, 4, a->address) || bind_text(stmt, 5, a->action) ||
           bind_opt(stmt, 6, a->object) || bind_opt(stmt, 7, a->outcome ? a->outcome : "ok") ||
           bind_opt(stmt, 8, a->detail);
}

static int sq_audit_append(struct store *st, const struct store_audit *a, int64_t *id,
                           struct cscc_err *err)
{
    return write_one(sq(st), S_AUDIT_ADD, "append to the audit log", audit_bind, a, NULL, id, err);
}

static int audit_row(sqlite3_stmt *stmt, void *ctx, int *oom)
{
    EACH_CTX(store_audit_fn) *c = ctx;
    struct store_audit a;

    a.id = sqlite3_column_int64(stmt, 0);
    a.at = sqlite3_column_int64(stmt, 1);
    a.actor = col_text(stmt, 2, "", oom);
    a.actor_id = sqlite3_column_int64(stmt, 3);
    a.address = col_text(stmt, 4, "", oom);
    a.action = col_text(stmt, 5, "", oom);
    a.object = col_text(stmt, 6, "", oom);
    a.outcome = col_text(stmt, 7, "", oom);
    a.detail = col_text(stmt, 8, "", oom);
    return *oom ? 0 : c->fn(c->arg, &a);
}

static int sq_each_audit(struct store *st, int64_t since, const char *actor, size_t limit,
                         store_audit_fn fn, void *arg, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    EACH_CTX(store_audit_fn) c = {fn, arg};
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = stmt_get(s, S_AUDIT_EACH, &stmt, "read the audit log", err)))
        return rc;
    return each_row(s, S_AUDIT_EACH, stmt,
                    sqlite3_bind_int64(stmt, 1, since) || bind_text(stmt, 2, actor) ||
                        sqlite3_bind_int64(
                            stmt, 3, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit),
                    audit_row, &c, NULL, "read the audit log", err);
}

/* ------------------------------------------------------------------------ */
/* Generic queries                                                           */
/* ------------------------------------------------------------------------ */

static int exec_script(sqlite3 *db, const char *sql);

/* FNV-1a of the statement text: the cache key (checked with strcmp). */
static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *sql; sql++)
        h = (h ^ (unsigned char)*sql) * 1099511628211ULL;
    return h;
}

/*
 * The prepared statement for sql: the cached one when it is free, else a new
 * one, cached when a slot is free or can be reclaimed (*cached says whether;
 * an uncached one is finalized by exec_done).
 */
static int exec_prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **out, int *cached,
                        const char *what, struct cscc_err *err)
{
    uint64_t h = sql_hash(sql);
    struct exec_slot *victim = NULL;
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    size_t i;
    int src;

    *out = NULL;
    *cached = 0;
    for (i = 0; i < EXEC_CACHE_SLOTS; i++) {
        struct exec_slot *e = &s->exec_cache[i];

        if (e->stmt && e->hash == h && !strcmp(e->sql, sql) && !sqlite3_stmt_busy(e->stmt)) {
            e->used = ++s->exec_tick;
            *out = e->stmt;
            *cached = 1;
            return 0;
        }
        if (!e->stmt) {
            if (!victim || victim->stmt)
                victim = e;
        } else if (!sqlite3_stmt_busy(e->stmt) &&
                   (!victim || (victim->stmt && e->used < victim->used))) {
            victim = e;
        }
    }
    src = sqlite3_prepare_v3(s->db, sql, -1, victim ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
    if (src != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return db_fail(s, src, err, "cannot %s", what);
    }
    if (!stmt)
        return cscc_err_set(err, CSCC_EINVAL, "cannot %s: the statement is empty", what);
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
        tail++;
    if (tail && *tail) {
        sqlite3_finalize(stmt);
        return cscc_err_set(err, CSCC_EINVAL, "cannot %s: more than one statement", what);
    }
    if (victim) {
        sqlite3_finalize(victim->stmt);
        cscc_free(victim->sql);
        victim->sql = cscc_xstrdup(sql);
        victim->hash = h;
        victim->used = ++s->exec_tick;
        victim->stmt = stmt;
        *cached = 1;
    }
    *out = stmt;
    return 0;
}

static int exec_bind(sqlite3_stmt *stmt, const struct store_val *args, size_t nargs)
{
    size_t i;
    int src = SQLITE_OK;

    if (nargs != (size_t)sqlite3_bind_parameter_count(stmt))
        return SQLITE_RANGE;
    for (i = 0; i < nargs && src == SQLITE_OK; i++) {
        const struct store_val *v = &args[i];
        int k = (int)i + 1;

        switch (v->type) {
        case STORE_V_INT: src = sqlite3_bind_int64(stmt, k, (sqlite3_int64)v->i); break;
        case STORE_V_REAL: src = sqlite3_bind_double(stmt, k, v->r); break;
        case STORE_V_TEXT:
            src = v->s ? sqlite3_bind_text(stmt, k, v->s, -1, SQLITE_STATIC)
                       : sqlite3_bind_null(stmt, k);
            break;
        default: src = sqlite3_bind_null(stmt, k); break;
        }
    }
    return src;
}

/* Fills vals from the current row; SQLITE_NOMEM when a text could not be read. */
static int exec_row(sqlite3_stmt *stmt, struct store_val *vals, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct store_val *v = &vals[i];

        memset(v, 0, sizeof(*v));
        switch (sqlite3_column_type(stmt, (int)i)) {
        case SQLITE_INTEGER:
            v->type = STORE_V_INT;
            v->i = sqlite3_column_int64(stmt, (int)i);
            break;
        case SQLITE_FLOAT:
            v->type = STORE_V_REAL;
            v->r = sqlite3_column_double(stmt, (int)i);
            break;
        case SQLITE_NULL: v->type = STORE_V_NULL; break;
        default:
            v->type = STORE_V_TEXT;
            v->s = (const char *)sqlite3_column_text(stmt, (int)i);
            if (!v->s)
                return SQLITE_NOMEM;
            break;
        }
    }
    return SQLITE_OK;
}

/* The CSCC code of a failed statement: a taken unique key is CSCC_EEXIST. */
static int exec_fail(struct sqlite_store *s, int src, const char *what, struct cscc_err *err)
{
    if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY) {
        const char *msg = sqlite3_errmsg(s->db);

        return cscc_err_set(err, CSCC_EEXIST, "cannot %s: %s", what, msg);
    }
    if ((src & 0xff) == SQLITE_FULL)
        return db_fail(s, src, err,
                       "cannot %s (nothing was stored; free disk space or raise the database "
                       "size cap, then try again)",
                       what);
    if (src == SQLITE_CONSTRAINT_FOREIGNKEY)
        return cscc_err_set(err, CSCC_EDATA, "cannot %s: it refers to something not stored", what);
    return db_fail(s, src, err, "cannot %s", what);
}

static int sq_exec(struct store *st, const char *what, const char *sql,
                   const struct store_val *args, size_t nargs, store_row_fn fn, void *arg,
                   struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    struct store_val vals[STORE_MAX_COLS];
    struct store_row row;
    sqlite3_stmt *stmt;
    int cached, rc, src, ncols;

    if (st->txn && s->aborted)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot %s: the transaction was rolled back after an earlier error",
                            what);
    ro_hook(s);
    if ((rc = exec_prepare(s, sql, &stmt, &cached, what, err)))
        return rc;
    ncols = sqlite3_column_count(stmt);
    if (ncols > STORE_MAX_COLS) {
        rc = cscc_err_set(err, CSCC_ELIMIT, "cannot %s: %d result columns (at most %d)", what,
                          ncols, STORE_MAX_COLS);
        goto out;
    }
    if ((src = exec_bind(stmt, args, nargs)) != SQLITE_OK) {
        if (src == SQLITE_RANGE)
            rc = cscc_err_set(err, CSCC_EINVAL, "cannot %s: %zu values for %d placeholders", what,
                              nargs, sqlite3_bind_parameter_count(stmt));
        else
            rc = exec_fail(s, src, what, err);
        goto out;
    }
    row.ncols = (size_t)ncols;
    row.col = vals;
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!fn)
            continue;
        if (exec_row(stmt, vals, row.ncols) != SQLITE_OK) {
            rc = out_of_memory(what, err);
            break;
        }
        if ((rc = fn(arg, &row)))
            break;
    }
    if (!rc && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = exec_fail(s, sqlite3_extended_errcode(s->db), what, err);
out:
    if (cached) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    } else {
        sqlite3_finalize(stmt);
    }
    /* SQLite rolls the whole transaction back by itself on a full disk or an
     * I/O error: the caller's later statements must not run in autocommit. */
    if (rc && st->txn && sqlite3_get_autocommit(s->db))
        s->aborted = 1;
    return rc;
}

static int64_t sq_changes(struct store *st)
{
    return (int64_t)sqlite3_changes64(sq(st)->db);
}

static int64_t sq_last_insert_id(struct store *st)
{
    return (int64_t)sqlite3_last_insert_rowid(sq(st)->db);
}

static int sq_set_max_pages(struct store *st, uint64_t max_pages, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    char sql[64];
    int src;

    /* SQLite's own limit is 4294967294 pages; 0 restores it. */
    if (max_pages == 0 || max_pages > 4294967294ULL)
        max_pages = 4294967294ULL;
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %llu", (unsigned long long)max_pages);
    src = exec_script(s->db, sql);
    if (src != SQLITE_OK)
        return db_fail(s, src, err, "cannot cap the size of database %s", s->path);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Opening, migrations, closing                                              */
/* ------------------------------------------------------------------------ */

static int sq_schema_version(struct store *st)
{
    return sq(st)->version;
}

static void sq_close(struct store *st)
{
    struct sqlite_store *s = sq(st);
    size_t i;

    if (!s)
        return;
    for (i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    for (i = 0; i < EXEC_CACHE_SLOTS; i++) {
        sqlite3_finalize(s->exec_cache[i].stmt);
        cscc_free(s->exec_cache[i].sql);
    }
    /* Closing the last connection checkpoints the WAL and removes it; an
     * open transaction is rolled back. */
    if (s->db && sqlite3_close(s->db) != SQLITE_OK)
        cscc_warn("closing database %s: %s", s->path, sqlite3_errmsg(s->db));
    cscc_free(s->path);
    cscc_free(s->ro_flag);
    cscc_free(s);
}

/*
 * Runs one statement of constant text at open time (a pragma) and copies
 * column 0 of its first row into text (when not NULL; "" when no row) and
 * num (when not NULL).
 */
static int pragma(struct sqlite_store *s, const char *sql, char *text, size_t cap, int64_t *num,
                  struct cscc_err *err)
{
    sqlite3_stmt *stmt = NULL;
    int src, rc = 0;

    if (text)
        text[0] = '\0';
    if (num)
        *num = 0;
    src = sqlite3_prepare_v3(s->db, sql, -1, 0, &stmt, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    if (src == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(stmt, 0);

        if (text && v)
            snprintf(text, cap, "%s", v);
        if (num)
            *num = sqlite3_column_int64(stmt, 0);
    } else if (src != SQLITE_DONE) {
        rc = db_fail(s, src, err, "cannot open database %s: %s", s->path, sql);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Sets the connection up: WAL, durable commits, foreign keys. */
static int configure(struct sqlite_store *s, struct cscc_err *err)
{
    char mode[32];
    int64_t v;
    int rc;

    if ((rc = pragma(s, "PRAGMA journal_mode=WAL", mode, sizeof(mode), NULL, err)))
        return rc;
    if (strcasecmp(mode, "wal") != 0)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot open database %s in WAL mode (journal mode stays '%s'): "
                            "its file system may lack shared memory or locking; "
                            "put it on a local disk",
                            s->path, mode);
    /* FULL syncs the WAL at every commit: a commit that returned survives
     * a crash or power loss (NORMAL, the usual WAL setting, does not). */
    if ((rc = pragma(s, "PRAGMA synchronous=FULL", NULL, 0, NULL, err)) ||
        (rc = pragma(s, "PRAGMA synchronous", NULL, 0, &v, err)))
        return rc;
    if (v != 2)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot open database %s: synchronous stays %lld, not FULL (2)",
                            s->path, (long long)v);
    if ((rc = pragma(s, "PRAGMA foreign_keys=ON", NULL, 0, NULL, err)) ||
        (rc = pragma(s, "PRAGMA foreign_keys", NULL, 0, &v, err)))
        return rc;
    if (v != 1)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot open database %s: this SQLite does not enforce foreign keys",
                            s->path);
    return 0;
}

/* Runs every statement of a script; SQLITE_OK or the failing one's result. */
static int exec_script(sqlite3 *db, const char *sql)
{
    const char *tail = sql;

    while (*tail) {
        const char *start = tail;
        sqlite3_stmt *stmt = NULL;
        int src = sqlite3_prepare_v3(db, start, -1, 0, &stmt, &tail);

        if (src != SQLITE_OK)
            return src;
        if (!stmt) { /* only white space or a comment was left */
            if (tail == start)
                break;
            continue;
        }
        while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
            ;
        sqlite3_finalize(stmt);
        if (src != SQLITE_DONE)
            return src;
    }
    return SQLITE_OK;
}

static int too_new(struct sqlite_store *s, int64_t v, size_t n, struct cscc_err *err)
{
    if (v < 0)
        return cscc_err_set(err, CSCC_ESTORE, "cannot open %s: bad database schema version %lld",
                            s->path, (long long)v);
    if ((uint64_t)v > n)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot open %s: database schema version %lld is newer than this "
                            "cscc (%zu); upgrade cscc",
                            s->path, (long long)v, n);
    return 0;
}

/* Applies migration v (schema v -> v + 1) inside the open transaction. */
static int apply_migration(struct sqlite_store *s, const char *script, int64_t v,
                           struct cscc_err *err)
{
    char sql[96];
    int src;

    src = exec_script(s->db, script);
    if (src == SQLITE_OK && v == 0) {
        snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", CSCC_APP_ID);
        src = exec_script(s->db, sql);
    }
    if (src == SQLITE_OK) {
        /* The version is our own counter, not data: formatting it is safe,
         * and PRAGMA takes no bound parameters. */
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)(v + 1));
        src = exec_script(s->db, sql);
    }
    if (src != SQLITE_OK)
        return db_fail(s, src, err, "cannot migrate database %s to schema version %lld", s->path,
                       (long long)(v + 1));
    return 0;
}

/*
 * Brings the schema to version n, one transaction per migration. Another
 * process may migrate at the same time: the version is read again under the
 * write lock, so each migration runs once.
 */
static int migrate(struct sqlite_store *s, const char *const *scripts, size_t n,
                   struct cscc_err *err)
{
    char what[320];
    int64_t v, again, app;
    int rc;

    if ((rc = pragma(s, "PRAGMA application_id", NULL, 0, &app, err)))
        return rc;
    if (app != 0 && app != CSCC_APP_ID)
        return cscc_err_set(err, CSCC_ESTORE,
                            "cannot open %s: not a cscc database (application_id %lld)", s->path,
                            (long long)app);
    snprintf(what, sizeof(what), "migrate database %s", s->path);
    for (;;) {
        if ((rc = pragma(s, "PRAGMA user_version", NULL, 0, &v, err)) ||
            (rc = too_new(s, v, n, err)))
            return rc;
        if ((uint64_t)v == n)
            break;
        if ((rc = run(s, S_BEGIN, what, err)))
            return rc;
        if (!(rc = pragma(s, "PRAGMA user_version", NULL, 0, &again, err)) && again == v)
            rc = apply_migration(s, scripts[v], v, err);
        if (!rc)
            rc = run(s, S_COMMIT, what, err);
        if (rc) {
            if (!sqlite3_get_autocommit(s->db))
                run(s, S_ROLLBACK, NULL, NULL);
            return rc;
        }
        if (again == v)
            cscc_debug("database %s: schema migrated to version %lld", s->path, (long long)(v + 1));
    }
    s->version = (int)n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Backup and restore (SQLite's online backup API)                           */
/* ------------------------------------------------------------------------ */

/*
 * Copies database `from` into `to` in one step: the copy is a snapshot of
 * one transaction of `from` (a read transaction: writers of a WAL database
 * go on meanwhile), and one write transaction of `to`. A busy lock is
 * waited for (at most about BUSY_TIMEOUT_MS).
 */
static int copy_db(sqlite3 *from, sqlite3 *to, const char *what, struct cscc_err *err)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    int src, tries = 0;

    if (!b)
        return cscc_err_set(err, code_of(sqlite3_extended_errcode(to), sqlite3_system_errno(to)),
                            "cannot %s: %s", what, sqlite3_errmsg(to));
    do {
        src = sqlite3_backup_step(b, -1);
        if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
            sqlite3_sleep(10);
    } while ((src == SQLITE_BUSY || src == SQLITE_LOCKED) && ++tries < BUSY_TIMEOUT_MS / 10);
    sqlite3_backup_finish(b);
    if (src != SQLITE_DONE)
        return cscc_err_set(err, code_of(src, sqlite3_system_errno(to)), "cannot %s: %s", what,
                            sqlite3_errstr(src));
    return 0;
}

static int fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int sq_backup(struct store *st, const char *path, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    char tmp[4200], side[4200], dir[4200], *slash;
    sqlite3 *to = NULL;
    int src, rc, fd;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return cscc_err_set(err, CSCC_ELIMIT, "backup path too long: %s", path);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot create %s", tmp);
    close(fd);
    src = sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = cscc_err_set(err, CSCC_EIO, "cannot open %s: %s", tmp, sqlite3_errstr(src));
        goto fail;
    }
    if ((rc = copy_db(s->db, to, "copy the database", err)))
        goto fail;
    /* Closing checkpoints the copy's write-ahead log into the file. */
    if (sqlite3_close(to) != SQLITE_OK) {
        to = NULL;
        rc = cscc_err_set(err, CSCC_EIO, "cannot finish the copy %s", tmp);
        goto fail;
    }
    to = NULL;
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    if (fsync_path(tmp, 0) < 0 || rename(tmp, path) < 0) {
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot put the copy in place at %s", path);
        goto fail;
    }
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    fsync_path(dir, 1);
    return 0;
fail:
    if (to)
        sqlite3_close(to);
    unlink(tmp);
    snprintf(side, sizeof(side), "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", tmp);
    unlink(side);
    return rc;
}

static int sq_restore(struct store *st, const char *path, struct cscc_err *err)
{
    struct sqlite_store *s = sq(st);
    sqlite3 *from = NULL;
    sqlite3_stmt *stmt = NULL;
    int64_t app = -1, version = -1;
    int src, rc;

    src = sqlite3_open_v2(path, &from, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = cscc_err_set(err, CSCC_EIO, "cannot open %s: %s", path, sqlite3_errstr(src));
        goto out;
    }
    if (sqlite3_prepare_v2(from,
                           "SELECT (SELECT application_id FROM pragma_application_id), "
                           "(SELECT user_version FROM pragma_user_version)",
                           -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        app = sqlite3_column_int64(stmt, 0);
        version = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
    if (app != CSCC_APP_ID) {
        rc = cscc_err_set(err, CSCC_EDATA, "%s is not a cscc database", path);
        goto out;
    }
    if (version > s->version) {
        rc = cscc_err_set(err, CSCC_EDATA,
                          "%s has schema version %lld, newer than this cscc knows (%d); use a "
                          "newer cscc to restore it",
                          path, (long long)version, s->version);
        goto out;
    }
    if ((rc = copy_db(from, s->db, "restore the database", err)))
        goto out;
    /* The copy has the backup's schema version: bring it up to date. */
    rc = migrate(s, migrations, sizeof(migrations) / sizeof(migrations[0]), err);
out:
    if (from)
        sqlite3_close(from);
    return rc;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put_areas = sq_put_areas,
    .put_population = sq_put_population,
    .put_priority = sq_put_priority,
    .put_iucr = sq_put_iucr,
    .put_categories = sq_put_categories,
    .each_area = sq_each_area,
    .each_population = sq_each_population,
    .get_priority = sq_get_priority,
    .each_iucr = sq_each_iucr,
    .each_category = sq_each_category,
    .get_category = sq_get_category,
    .set_setting = sq_set_setting,
    .get_setting = sq_get_setting,
    .data_version = sq_data_version,
    .import_begin = sq_import_begin,
    .import_finish = sq_import_finish,
    .each_import = sq_each_import,
    .get_import = sq_get_import,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .each_user = sq_each_user,
    .user_update = sq_user_update,
    .cred_add = sq_cred_add,
    .cred_get = sq_cred_get,
    .cred_touch = sq_cred_touch,
    .cred_revoke = sq_cred_revoke,
    .cred_revoke_user = sq_cred_revoke_user,
    .each_cred = sq_each_cred,
    .cred_purge = sq_cred_purge,
    .failure_add = sq_failure_add,
    .failure_count = sq_failure_count,
    .failure_clear = sq_failure_clear,
    .audit_append = sq_audit_append,
    .each_audit = sq_each_audit,
    .backup = sq_backup,
    .restore = sq_restore,
    .exec = sq_exec,
    .changes = sq_changes,
    .last_insert_id = sq_last_insert_id,
    .set_max_pages = sq_set_max_pages,
};

struct store *store__sqlite_open_with(const char *path, const char *const *scripts, size_t n,
                                      struct cscc_err *err)
{
    struct sqlite_store *s = cscc_xcalloc(1, sizeof(*s));
    const char *env;
    int src, fd;

    s->base.ops = &sqlite_ops;
    s->path = cscc_xstrdup(path);
    if (n > (size_t)0x7fffffff) {
        cscc_err_set(err, CSCC_EINTERNAL, "too many migrations");
        goto fail;
    }
    /* Debian's SQLite is built with SQLITE_USE_URI: a name starting with
     * "file:" would be read as a URI ("file::memory:", "?mode=ro"). A store
     * path is a file path, so such a name is made explicitly relative. */
    if (strncmp(path, "file:", 5) == 0) {
        size_t len = strlen(path) + 3;

        cscc_free(s->path);
        s->path = cscc_xmalloc(len);
        snprintf(s->path, len, "./%s", path);
    }
    /* The store will hold personal data (users, needs, audit): a new file
     * is made readable by its owner only. SQLite gives the -wal and -shm
     * files the mode of the database. */
    if (strcmp(s->path, ":memory:") != 0) {
        fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    src = sqlite3_open_v2(s->path, &s->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        db_fail(s, src, err, "cannot open database %s", path);
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* Refuse writes that could corrupt the file (writable_schema, ...). */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        cscc_err_set(err, CSCC_EROFS,
                     "cannot open database %s: it is read-only (make the file, its directory and "
                     "its -wal and -shm files writable by this user)",
                     path);
        goto fail;
    }
    if (configure(s, err) || migrate(s, scripts, n, err))
        goto fail;
    if ((env = getenv("CSCC_STORE_READONLY_FLAG")) && *env)
        s->ro_flag = cscc_xstrdup(env);
    if ((env = getenv("CSCC_STORE_MAX_PAGES")) && *env) {
        char *end;
        unsigned long long pages = strtoull(env, &end, 10);

        if (*end || env[0] == '-') {
            cscc_err_set(err, CSCC_EINVAL,
                         "CSCC_STORE_MAX_PAGES must be a number of pages, not '%s'", env);
            goto fail;
        }
        if (sq_set_max_pages(&s->base, pages, err))
            goto fail;
    }
    return &s->base;
fail:
    sq_close(&s->base);
    return NULL;
}

struct store *store__sqlite_open(const char *path, struct cscc_err *err)
{
    return store__sqlite_open_with(path, migrations, sizeof(migrations) / sizeof(migrations[0]),
                                   err);
}
