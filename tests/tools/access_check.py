#!/usr/bin/env python3
"""access_check.py - checks of a running `cscc serve` against tables kept here.

  access_check.py matrix URL TOKENS.json
      The authorization matrix: every route of the server's index (GET /,
      which lists the route table) x every method x every role, against
      EXPECTED below; a route or method missing from EXPECTED (or listed
      there but not served) fails. TOKENS.json maps each role but public to
      an API token of a user of that role. Also own versus another's
      object: API tokens of one user cannot be listed or revoked by another.

  access_check.py scan URL
      Every public GET route of the index is requested as the public with
      the sample queries of SAMPLES below (a public route without a sample
      fails) and its answer scanned for contact details, victims' records
      (field names of the victims export, the test data's name canaries),
      locations finer than a block, and counts from 1 to 9 that are not
      withheld.

Prints one line per failure and "N checks, M failed"; exit 1 on a failure.
"""
import csv
import io
import json
import re
import sys
import urllib.error
import urllib.request

ROLES = ["public", "partner", "department", "coordinator", "analyst", "admin"]

# (method, route pattern) -> least role. Change it with the route table.
EXPECTED = {
    ("GET", "/api/v1"): "public",
    ("GET", "/"): "public",
    ("GET", "/{page}"): "public",
    ("GET", "/static/*"): "public",
    ("GET", "/api/v1/categories"): "public",
    ("GET", "/api/v1/dashboard"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/metrics"): "public",
    ("GET", "/api/v1/areas"): "public",
    ("GET", "/api/v1/areas/{number}"): "public",
    ("GET", "/api/v1/counts"): "public",
    ("GET", "/api/v1/imports"): "public",
    ("GET", "/api/v1/imports/{id}"): "public",
    ("GET", "/api/v1/analyses"): "public",
    ("GET", "/api/v1/analyses/{name}"): "public",
    ("POST", "/api/v1/analyses/{name}"): "public",
    ("GET", "/api/v1/session"): "public",
    ("POST", "/api/v1/session"): "public",
    ("DELETE", "/api/v1/session"): "partner",
    ("GET", "/api/v1/tokens"): "partner",
    ("POST", "/api/v1/tokens"): "partner",
    ("DELETE", "/api/v1/tokens/{id}"): "partner",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("GET", "/api/v1/users/{name}"): "admin",
    ("PATCH", "/api/v1/users/{name}"): "admin",
    ("GET", "/api/v1/audit"): "admin",
    ("GET", "/resource/{dataset}"): "public",
    # Resources: allocations and initiatives for City staff, their edits for coordinators
    # and admins (analysts read, but do not edit: see REFUSED).
    ("GET", "/api/v1/funding"): "department",
    ("POST", "/api/v1/funding"): "coordinator",
    ("GET", "/api/v1/funding/{id}"): "department",
    ("PATCH", "/api/v1/funding/{id}"): "coordinator",
    ("DELETE", "/api/v1/funding/{id}"): "coordinator",
    ("POST", "/api/v1/funding/{id}/spending"): "coordinator",
    ("PATCH", "/api/v1/spending/{id}"): "coordinator",
    ("DELETE", "/api/v1/spending/{id}"): "coordinator",
    ("GET", "/api/v1/initiatives"): "department",
    ("POST", "/api/v1/initiatives"): "coordinator",
    ("GET", "/api/v1/initiatives/{id}"): "department",
    ("PATCH", "/api/v1/initiatives/{id}"): "coordinator",
    ("DELETE", "/api/v1/initiatives/{id}"): "coordinator",
    ("POST", "/api/v1/initiatives/{id}/milestones"): "coordinator",
    ("PATCH", "/api/v1/milestones/{id}"): "coordinator",
    ("DELETE", "/api/v1/milestones/{id}"): "coordinator",
    # Open311 GeoReport v2: POST requests takes an api_key (checked by the handler)
    ("GET", "/open311/v2/discovery.{fmt}"): "public",
    ("GET", "/open311/v2/services.{fmt}"): "public",
    ("GET", "/open311/v2/services/{file}"): "public",
    ("GET", "/open311/v2/requests.{fmt}"): "public",
    ("POST", "/open311/v2/requests.{fmt}"): "public",
    ("GET", "/open311/v2/requests/{file}"): "public",
    ("GET", "/open311/v2/tokens/{file}"): "public",
    # Coordination: needs (anonymous intake), work orders, catalogue, partners
    ("GET", "/api/v1/needs"): "public",
    ("POST", "/api/v1/needs"): "public",
    ("GET", "/api/v1/needs/{id}"): "public",
    ("GET", "/api/v1/workorders"): "department",
    ("GET", "/api/v1/workorders/{id}"): "department",
    ("GET", "/api/v1/workorders/{id}/history"): "department",
    ("POST", "/api/v1/workorders/{id}/transitions"): "department",
    ("GET", "/api/v1/catalog"): "public",
    ("GET", "/api/v1/catalog/{code}"): "public",
    ("PUT", "/api/v1/catalog/{code}"): ("coordinator", ["coordinator", "admin"]),
    ("GET", "/api/v1/departments"): "department",
    ("GET", "/api/v1/routing-rules"): "coordinator",
    ("GET", "/api/v1/organizations"): "public",
    ("GET", "/api/v1/organizations/{id}"): "public",
    # a partner edits its own organization (the probe's); a department or an
    # analyst none: (the index's least role, the roles allowed)
    ("PATCH", "/api/v1/organizations/{id}"): ("partner", ["partner", "coordinator", "admin"]),
    ("PUT", "/api/v1/organizations/{id}"): ("partner", ["partner", "coordinator", "admin"]),
    ("POST", "/api/v1/organizations/{id}/verification"): ("coordinator", ["coordinator", "admin"]),
    ("GET", "/api/v1/events"): "partner",
    ("POST", "/api/v1/events"): "partner",
    # a partner lists its own organization's needs and events (staff any)
    ("GET", "/api/v1/organizations/{id}/needs"): "partner",
    ("GET", "/api/v1/organizations/{id}/events"): "partner",
    # uploading an export for import: analysts and admins
    ("POST", "/api/v1/imports"): "analyst",
    ("GET", "/api/v1/response-metrics"): "public",
    ("GET", "/api/v1/brief"): "coordinator",
}

# Roles refused a route although they rank above its least role (403).
REFUSED = {k: {"analyst"} for k, v in EXPECTED.items()
           if v == "coordinator" and k[1].startswith(("/api/v1/funding", "/api/v1/spending",
                                                      "/api/v1/initiatives", "/api/v1/milestones"))}
# Analysts do not log engagement events (coord's COORD_EVENT_CREATE).
REFUSED[("POST", "/api/v1/events")] = {"analyst"}

# Analyses the API runs -> least role (an analysis without a privacy rule is staff only:
# coordinator, analyst, admin). rtm reads layers and both rtm and pai list incident counts
# per grid cell, so they are staff only.
EXPECTED_ANALYSES = {"counts": "public", "trends": "public", "priority": "public",
                     "kde": "public", "gistar": "public", "moran": "public", "knox": "public",
                     "rtm": "coordinator", "pai": "coordinator",
                     "capacity-gap": "public", "funding": "public"}
# The scan asks for the staff-only analyses as the public too, with queries that answer
# for staff (serve_access.sh's layer "shots"): each must be refused (403), without a result.
STAFF_ONLY_SAMPLES = [
    "/api/v1/analyses/rtm?category=homicide&from=2017-01-01&to=2017-12-31"
    "&proximity=shots:200&distance=shots",
    "/api/v1/analyses/rtm?category=homicide&proximity=shots:200&table=factors&format=csv",
    "/api/v1/analyses/pai?category=homicide&train_from=2016-01-01&train_to=2016-12-31"
    "&test_from=2017-01-01&test_to=2017-12-31&format=geojson",
]

# A harmless request for each route: the path (captures filled), a body for
# methods that take one. Allowed callers get an answer that is not 401/403;
# they are refused before the body is read.
PROBES = {
    "/{page}": "/area",
    "/static/*": "/static/js/app.js",
    "/api/v1/areas/{number}": "/api/v1/areas/25",
    "/api/v1/imports/{id}": "/api/v1/imports/1",
    "/api/v1/analyses/{name}": "/api/v1/analyses/counts",
    "/api/v1/tokens/{id}": "/api/v1/tokens/999999",
    "/api/v1/users/{name}": "/api/v1/users/nobody-here",
    "/resource/{dataset}": "/resource/ijzp-q8t2.json",
    "/api/v1/funding/{id}": "/api/v1/funding/999999",
    "/api/v1/funding/{id}/spending": "/api/v1/funding/999999/spending",
    "/api/v1/spending/{id}": "/api/v1/spending/999999",
    "/api/v1/initiatives/{id}": "/api/v1/initiatives/999999",
    "/api/v1/initiatives/{id}/milestones": "/api/v1/initiatives/999999/milestones",
    "/api/v1/milestones/{id}": "/api/v1/milestones/999999",
    "/open311/v2/discovery.{fmt}": "/open311/v2/discovery.json",
    "/open311/v2/services.{fmt}": "/open311/v2/services.json",
    "/open311/v2/services/{file}": "/open311/v2/services/graffiti.xml",
    "/open311/v2/requests.{fmt}": "/open311/v2/requests.json",
    "/open311/v2/requests/{file}": "/open311/v2/requests/999999.json",
    "/open311/v2/tokens/{file}": "/open311/v2/tokens/nope.json",
    "/api/v1/needs/{id}": "/api/v1/needs/999999",
    "/api/v1/workorders/{id}": "/api/v1/workorders/999999",
    "/api/v1/workorders/{id}/history": "/api/v1/workorders/999999/history",
    "/api/v1/workorders/{id}/transitions": "/api/v1/workorders/999999/transitions",
    "/api/v1/catalog/{code}": "/api/v1/catalog/graffiti",
    # the partner's own organization (fixtures "own_org"), filled in by matrix()
    "/api/v1/organizations/{id}": "/api/v1/organizations/{own_org}",
    "/api/v1/organizations/{id}/verification": "/api/v1/organizations/{own_org}/verification",
    "/api/v1/organizations/{id}/needs": "/api/v1/organizations/{own_org}/needs",
    "/api/v1/organizations/{id}/events": "/api/v1/organizations/{own_org}/events",
}

# Public GET routes: the queries the scan sends (each answer is scanned).
SAMPLES = {
    "/api/v1": ["/api/v1"],
    "/": ["/"],
    "/{page}": ["/area"],
    "/static/*": ["/static/js/app.js", "/static/js/area.js", "/static/i18n/es.json"],
    "/api/v1/categories": ["/api/v1/categories"],
    "/api/v1/dashboard": ["/api/v1/dashboard"],
    "/healthz": ["/healthz"],
    "/metrics": ["/metrics"],
    "/api/v1/areas": ["/api/v1/areas", "/api/v1/areas?format=geojson"],
    "/api/v1/areas/{number}": ["/api/v1/areas/25"],
    "/api/v1/counts": [
        "/api/v1/counts?by=area&from=2017-01-01&to=2017-01-31&category=homicide",
        "/api/v1/counts?by=area&from=2017-01-01&to=2017-01-31&category=homicide&format=csv",
        "/api/v1/counts?by=area&from=2017-01-01&to=2017-01-31&category=homicide&format=geojson",
        "/api/v1/counts?by=type,month&from=2017-01-01&to=2017-06-30&format=csv",
        "/api/v1/counts?by=area&rate=true&from=2018-03-01&to=2018-03-07&category=homicide",
        "/api/v1/counts?from=2018-03-01&to=2018-03-02&category=homicide&area=25",
        "/api/v1/counts?by=hour&area=1&format=csv",
    ],
    "/api/v1/imports": ["/api/v1/imports"],
    "/api/v1/imports/{id}": ["/api/v1/imports/1"],
    "/api/v1/analyses": ["/api/v1/analyses"],
    "/api/v1/analyses/{name}": [
        "/api/v1/analyses/counts?by=area,year&category=homicide",
        "/api/v1/analyses/counts?by=area&category=homicide&format=geojson",
        "/api/v1/analyses/trends?from=2017-01-01&to=2017-03-31&category=homicide",
        "/api/v1/analyses/trends?from=2017-01-01&to=2017-03-31&category=homicide&format=csv",
        "/api/v1/analyses/trends?from=2018-01-01&to=2018-06-30&type=ROBBERY&format=geojson",
        "/api/v1/analyses/trends?from=2021-01-01&to=2021-12-31&measure=serious&source=victims",
        "/api/v1/analyses/priority?from=2021-01-01&to=2021-12-31&source=victims",
        "/api/v1/analyses/priority?from=2021-01-01&to=2021-12-31&source=victims&format=csv",
        "/api/v1/analyses/priority?from=2016-01-01&to=2018-12-31&source=crimes"
        "&shootings_layer=shots",
        # the spatial analyses: rare selections, where small counts would show
        "/api/v1/analyses/kde?category=homicide&from=2017-01-01&to=2017-12-31&grid=100",
        "/api/v1/analyses/kde?category=homicide&from=2017-01-01&to=2017-12-31&cell=1000"
        "&bandwidth=800&format=geojson",
        "/api/v1/analyses/kde?category=homicide&from=2017-01-01&to=2017-12-31&cell=1000"
        "&bandwidth=800&format=csv&all_cells=true",
        "/api/v1/analyses/gistar?category=homicide&from=2017-01-01&to=2017-12-31&cell=500",
        "/api/v1/analyses/gistar?category=homicide&from=2017-01-01&to=2017-12-31&cell=500"
        "&format=csv",
        "/api/v1/analyses/gistar?category=homicide&from=2017-01-01&to=2017-12-31&areas=true"
        "&format=geojson",
        "/api/v1/analyses/moran?category=homicide&from=2017-01-01&to=2017-12-31"
        "&permutations=99",
        "/api/v1/analyses/moran?category=homicide&from=2017-01-01&to=2017-12-31"
        "&permutations=99&format=csv",
        "/api/v1/analyses/moran?category=violent&permutations=99&rate=true&format=geojson",
        "/api/v1/analyses/knox?category=homicide&from=2017-01-01&to=2017-12-31"
        "&iterations=19",
        "/api/v1/analyses/knox?category=homicide&from=2017-01-01&to=2017-12-31"
        "&iterations=19&format=csv",
        "/api/v1/analyses/capacity-gap?from=2021-01-01&to=2021-12-31",
        "/api/v1/analyses/capacity-gap?from=2021-01-01&to=2021-12-31&total=true&format=csv",
        "/api/v1/analyses/capacity-gap?from=2021-01-01&to=2021-01-31&format=geojson",
        "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31",
        "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&by=area-strategy&format=csv",
        "/api/v1/analyses/funding?from=2021-01-01&to=2021-03-31&format=geojson",
        "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&by=strategy",
    ],
    "/api/v1/session": ["/api/v1/session"],
    "/open311/v2/discovery.{fmt}": ["/open311/v2/discovery.json", "/open311/v2/discovery.xml"],
    "/open311/v2/services.{fmt}": ["/open311/v2/services.json", "/open311/v2/services.xml"],
    "/open311/v2/services/{file}": ["/open311/v2/services/graffiti.json"],
    "/open311/v2/requests.{fmt}": ["/open311/v2/requests.json?extensions=true",
                                   "/open311/v2/requests.xml?extensions=true"],
    "/open311/v2/requests/{file}": ["/open311/v2/requests/1.json?extensions=true",
                                    "/open311/v2/requests/1.xml"],
    "/open311/v2/tokens/{file}": [],  # tokens are made by POST requests (see matrix())
    "/api/v1/needs": ["/api/v1/needs"],
    "/api/v1/needs/{id}": ["/api/v1/needs/1"],
    "/api/v1/catalog": ["/api/v1/catalog"],
    "/api/v1/catalog/{code}": ["/api/v1/catalog/graffiti"],
    "/api/v1/organizations": ["/api/v1/organizations"],
    "/api/v1/organizations/{id}": ["/api/v1/organizations/1", "/api/v1/organizations/2"],
    "/api/v1/response-metrics": ["/api/v1/response-metrics?by=department"],
    "/resource/{dataset}": [
        "/resource/ijzp-q8t2.json?$limit=5",
        "/resource/ijzp-q8t2.json?$select=community_area,count(*)&$group=community_area",
    ],
}

# Names of aggregate columns whose values are counts of people or incidents.
COUNT_COLS = re.compile(r"^(count|prior_count|year_ago_count|serious|count_\d{4}|total|"
                        r"priority_count|rest_count|rows_counted|count_\w+|"
                        # the spatial analyses: moran's value (a count), the selection
                        r"value|points|events|rows_selected|rows_in_period|"
                        r"rows_without_location|points_in_units|points_outside_units|"
                        r"rows_in_units|rows_outside_units|n|weight|expected_total)$")
# Answers that hold settings, never counts of people or incidents (their
# contact and victim checks still run).
CONFIG_ANSWERS = ("/api/v1/catalog", "/open311/v2/services", "/open311/v2/discovery")
# Victim-level fields (the victims export's columns, as keys or CSV headers),
# and the name canaries of the test data's victims.
VICTIM_FIELDS = ["victimization_primary", "gunshot_injury_i", "homicide_victim_first_name",
                 "homicide_victim_last_name", "unique_id", "street_outreach_organization", "age",
                 "sex", "race", "case_number"]
VICTIM_CANARIES = ["ZZNAMEFIRST", "ZZNAMELAST"]
CONTACT = [re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
           re.compile(r"\(?\b\d{3}\)?[-. ]\d{3}-\d{4}\b"),
           re.compile(r'"(phone|email|e_mail|contact|address_line|reporter)[a-z_]*"\s*:', re.I)]

fails = 0
checks = 0
fixtures = {}  # ids of objects with owners, from TOKENS.json's "fixtures"


def check(ok, what):
    global fails, checks
    checks += 1
    if not ok:
        fails += 1
        print("FAIL:", what)


def request(url, method="GET", token=None, body=None):
    data = None
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    rq = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(rq, timeout=60) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Content-Type", "")


def routes(base):
    st, body, _ = request(base + "api/v1")
    if st != 200:
        print("FAIL: the index answered", st)
        sys.exit(1)
    out = []
    for r in json.loads(body)["routes"]:
        for m in r["methods"].split(", "):
            if m != "HEAD":
                out.append((m, r["path"], r["role"]))
    return out


# ---------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------

def matrix(base, tokens):
    global fixtures
    fixtures = tokens.get("fixtures", {})
    served = routes(base)
    seen = set()
    for method, pattern, role in served:
        key = (method, pattern)
        seen.add(key)
        check(key in EXPECTED, "%s %s is served but has no row in EXPECTED" % key)
        if key not in EXPECTED:
            continue
        want = EXPECTED[key]
        allowed_roles = None
        if isinstance(want, tuple):
            want, allowed_roles = want
        check(role == want, "%s %s: the index says role %s, expected %s" % (method, pattern,
                                                                           role, want))
        path = PROBES.get(pattern, pattern).replace("{own_org}", str(fixtures.get("own_org")))
        body = {} if method in ("POST", "PATCH", "PUT") else None
        for i, r in enumerate(ROLES):
            st, b, _ = request(base.rstrip("/") + path, method, tokens.get(r), body)
            allowed = ((i >= ROLES.index(want) if allowed_roles is None else r in allowed_roles)
                       and r not in REFUSED.get(key, ()))
            if allowed:
                check(st not in (401, 403),
                      "%s %s as %s: %d, expected an answer (allowed)" % (method, path, r, st))
            else:
                exp = 401 if r == "public" else 403
                check(st == exp, "%s %s as %s: %d, expected %d" % (method, path, r, st, exp))
    for key in EXPECTED:
        check(key in seen, "%s %s is in EXPECTED but not served" % key)
    # Analyses: each listed one has an expected least role.
    st, b, _ = request(base + "api/v1/analyses")
    names = [a["name"] for a in json.loads(b)["analyses"]]
    check(sorted(names) == sorted(EXPECTED_ANALYSES),
          "analyses served %s, expected %s" % (names, sorted(EXPECTED_ANALYSES)))
    for n in names:
        for i, r in enumerate(ROLES):
            st, b, _ = request(base + "api/v1/analyses/" + n + "?from=2017-01-01&to=2017-01-31",
                               token=tokens.get(r))
            allowed = i >= ROLES.index(EXPECTED_ANALYSES.get(n, "admin"))
            check((st not in (401, 403)) == allowed,
                  "analysis %s as %s: %d (allowed: %s)" % (n, r, st, allowed))
    own_versus_another(base, tokens)
    own_versus_another_coord(base, tokens)


def own_versus_another_coord(base, tokens):
    """Organizations: a partner edits its own, not another's; a coordinator
    verifies. Work orders: a department sees its own, not another's."""
    own, other = fixtures["own_org"], fixtures["other_org"]
    url = base + "api/v1/organizations/%d"
    st, b, _ = request(url % own, "PATCH", tokens["partner"], {"capacity_per_week": 42})
    check(st == 200 and json.loads(b).get("capacity_per_week") == 42,
          "the partner editing its own organization: %d %s" % (st, b[:200]))
    st, b, _ = request(url % own, "GET", tokens["partner"])
    check(st == 200 and json.loads(b).get("contact", {}).get("email") == "own@example.org",
          "the partner sees its own organization's contacts: %d" % st)
    for who in ("partner", "department", "analyst"):
        st, b, _ = request(url % other, "PATCH", tokens[who], {"capacity_per_week": 1})
        check(st == 403, "%s editing another's organization: %d, expected 403" % (who, st))
        st, b, _ = request(url % other, "PUT", tokens[who], {"name": "Taken over"})
        check(st == 403, "%s replacing another's organization: %d, expected 403" % (who, st))
    st, b, _ = request(url % other, "GET", tokens["partner"])
    check(st == 200 and "contact" not in json.loads(b) and
          json.loads(b).get("capacity_per_week") != 1,
          "another's organization: unchanged and without contacts for the partner")
    st, b, _ = request(url % own, "PATCH", tokens["partner"], {"verified": True})
    check(st == 400, "a partner verifying through PATCH: %d, expected 400" % st)
    st, b, _ = request((url % own) + "/verification", "POST", tokens["partner"], {"verified": True})
    check(st == 403, "a partner verifying its organization: %d, expected 403" % st)
    st, b, _ = request((url % own) + "/verification", "POST", tokens["coordinator"],
                       {"verified": True})
    check(st == 200 and json.loads(b).get("verified") is True,
          "a coordinator verifying: %d %s" % (st, b[:200]))
    st, b, _ = request(url % other, "PATCH", tokens["coordinator"], {"capacity_per_week": 7})
    check(st == 200, "a coordinator editing any organization: %d" % st)
    for sub in ("needs", "events"):
        st, _, _ = request((url % own) + "/" + sub, "GET", tokens["partner"])
        check(st == 200, "the partner listing its own organization's %s: %d" % (sub, st))
        st, _, _ = request((url % other) + "/" + sub, "GET", tokens["partner"])
        check(st == 403, "the partner listing another's %s: %d, expected 403" % (sub, st))
        st, _, _ = request((url % other) + "/" + sub, "GET", tokens["coordinator"])
        check(st == 200, "a coordinator listing any organization's %s: %d" % (sub, st))
    st, b, _ = request(base + "api/v1/events", "POST", tokens["partner"],
                       {"type": "community_meeting", "title": "Block club", "date": "2026-03-01"})
    check(st == 201 and json.loads(b).get("id"), "the partner logging an event: %d %s" % (st, b[:200]))
    st, b, _ = request((url % own) + "/events", "GET", tokens["partner"])
    check(st == 200 and any(e.get("title") == "Block club" for e in json.loads(b)["events"]),
          "the partner's event is among its organization's events")
    st, b, _ = request((url % other) + "/events", "GET", tokens["coordinator"])
    check(st == 200 and not any(e.get("title") == "Block club" for e in json.loads(b)["events"]),
          "the partner's event is not another organization's")
    wo = fixtures["other_workorder"]
    st, _, _ = request(base + "api/v1/workorders/%d" % wo, "GET", tokens["department"])
    check(st == 403, "a department reading another's work order: %d, expected 403" % st)
    st, _, _ = request(base + "api/v1/workorders/%d/transitions" % wo, "POST",
                       tokens["department"], {"state": "acknowledged"})
    check(st == 403, "a department moving another's work order: %d, expected 403" % st)
    st, b, _ = request(base + "api/v1/workorders?limit=1000", "GET", tokens["department"])
    check(st == 200 and wo not in [w.get("id") for w in json.loads(b).get("workorders", [])],
          "a department's work order list shows another's: %d" % st)
    st, _, _ = request(base + "api/v1/workorders/%d" % wo, "GET", tokens["coordinator"])
    check(st == 200, "a coordinator reading any work order: %d" % st)


def own_versus_another(base, tokens):
    """A partner's token, seen and revoked by its owner only."""
    a, b = tokens["partner"], tokens["department"]
    st, body, _ = request(base + "api/v1/tokens", "POST", a, {"label": "mine"})
    check(st == 201, "POST /api/v1/tokens as partner: %d" % st)
    tid = json.loads(body)["id"]
    st, body, _ = request(base + "api/v1/tokens", "GET", b)
    check(st == 200 and tid not in [t["id"] for t in json.loads(body)["tokens"]],
          "another user's GET /api/v1/tokens lists the partner's token")
    for who in ("department", "admin"):
        st, _, _ = request(base + "api/v1/tokens/%d" % tid, "DELETE", tokens[who])
        check(st == 404, "%s revoking the partner's token: %d, expected 404" % (who, st))
    st, body, _ = request(base + "api/v1/tokens", "GET", a)
    mine = [t for t in json.loads(body)["tokens"] if t["id"] == tid]
    check(len(mine) == 1 and mine[0]["revoked_at"] is None,
          "the partner's token is still live after others tried")
    check(all("token" not in t for t in json.loads(body)["tokens"]),
          "a token list shows whole tokens")
    st, _, _ = request(base + "api/v1/tokens/%d" % tid, "DELETE", a)
    check(st == 200, "the owner revoking its token: %d" % st)
    st, _, _ = request(base + "api/v1/tokens/%d" % tid, "DELETE", a)
    check(st == 404, "revoking it twice: %d, expected 404" % st)


# ---------------------------------------------------------------------------
# The scan of public answers
# ---------------------------------------------------------------------------

def small(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v <= 9


def scan_json(doc, where):
    """Counts from 1 to 9 in count columns of a result, a counts answer or GeoJSON."""
    if isinstance(doc, dict):
        cols = doc.get("columns")
        if isinstance(cols, list) and isinstance(doc.get("rows"), list):
            names = [c["name"] for c in cols]
            for row in doc["rows"]:
                for name, v in zip(names, row):
                    if COUNT_COLS.match(name):
                        check(not small(v), "%s: %s = %s published" % (where, name, v))
        for k, v in doc.items():
            if isinstance(k, str) and COUNT_COLS.match(k) and not isinstance(v, (dict, list)):
                check(not small(v), "%s: %s = %s published" % (where, k, v))
            if isinstance(v, (dict, list)):
                scan_json(v, where)
    elif isinstance(doc, list):
        for v in doc:
            scan_json(v, where)


def scan_csv(text, where):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return
    for row in rows[1:]:
        for name, v in zip(rows[0], row):
            if COUNT_COLS.match(name) and re.fullmatch(r"[1-9]", v or ""):
                check(False, "%s: %s = %s published" % (where, name, v))


def scan(base):
    served = routes(base)
    public_gets = sorted({p for m, p, r in served if m == "GET" and r == "public"})
    for pattern in public_gets:
        check(pattern in SAMPLES, "public route %s has no sample query to scan" % pattern)
        for q in SAMPLES.get(pattern, []):
            st, body, ctype = request(base.rstrip("/") + q)
            text = body.decode("utf-8", "replace")
            check(st == 200, "%s: status %d" % (q, st))
            checks_before = checks
            keys = {k.lower() for k in re.findall(r'"([A-Za-z_]+)"\s*:', text)}
            if "csv" in ctype and text:
                keys |= {k.strip().lower() for k in text.splitlines()[0].split(",")}
            for f in VICTIM_FIELDS:
                # the crimes dataset's rows are public data with a case number, as on the
                # City's portal; no other public answer may carry one
                if f == "case_number" and q.startswith("/resource/ijzp-q8t2."):
                    continue
                check(f not in keys, "%s: a victims' field %s" % (q, f))
            for f in VICTIM_CANARIES:
                check(f.lower() not in text.lower(), "%s: a victim's name %s" % (q, f))
            for i, rx in enumerate(CONTACT):
                # Open311 discovery's "contact" is the operator's (the spec's field);
                # e-mail addresses and phone numbers are still looked for in it
                if i == 2 and q.startswith("/open311/v2/discovery."):
                    continue
                m = rx.search(text)
                check(not m, "%s: contact details? %r" % (q, m.group(0) if m else ""))
            if '"Point"' in text and not q.startswith("/resource/"):
                check(False, "%s: point locations in an aggregate answer" % q)
            if q.startswith(CONFIG_ANSWERS):
                pass  # the service catalogue's weights and codes are settings, not counts
            elif st == 200 and "json" in ctype:
                scan_json(json.loads(text), q)
            elif st == 200 and "csv" in ctype:
                scan_csv(text, q)
            check(checks > checks_before, "%s scanned" % q)
    for q in STAFF_ONLY_SAMPLES:
        st, body, ctype = request(base.rstrip("/") + q)
        text = body.decode("utf-8", "replace")
        check(st == 403 and '"forbidden"' in text and '"rows"' not in text and
              '"features"' not in text,
              "%s as the public: %d %s, expected 403 without a result" % (q, st, text[:120]))


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("matrix", "scan"):
        print(__doc__)
        sys.exit(2)
    base = sys.argv[2].rstrip("/") + "/"
    if sys.argv[1] == "matrix":
        with open(sys.argv[3]) as f:
            matrix(base, json.load(f))
    else:
        scan(base)
    print("%d checks, %d failed" % (checks, fails))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
