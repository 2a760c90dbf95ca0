#!/usr/bin/env python3
"""Generates the resources fixture of tests/data/resources (run once; the
output is committed): a fiscal year (2021) of funding allocations across
departments, programs, strategy areas and community areas, some reaching
into 2020 or 2022, with spending entries against them, and the partner
organizations the allocations and the capacity gap name.

    python3 tests/tools/gen_resources.py tests/data/resources
"""
import csv
import datetime as dt
import json
import os
import random
import sys

PRIORITY = [25, 29, 23, 26, 71, 68, 67, 27, 49, 69, 43, 30, 66, 44, 53]
STRATEGIES = ["employment", "community_revitalization", "violence_diversion",
              "violence_interruption", "social_services_navigation", "health_wellness",
              "education_youth"]
DEPARTMENTS = {
    "Family and Support Services": ["Youth Employment", "Violence Prevention", "Case Management",
                                    "Victim Services, Outreach"],
    "Public Health": ["Trauma-Informed Centers of Care", "Mental Health Navigation",
                      "Healing Hubs"],
    "Planning and Development": ["Neighborhood Opportunity Fund", "Vacant Lot Reactivation"],
    "Mayor's Office of Community Safety": ["Peacekeepers", "Community Violence Intervention",
                                           "Summer Safety"],
    "Police": ["Restorative Justice Diversion", "Youth Diversion"],
    "Housing": ["Safe Housing", "Anti-Displacement Grants"],
    "Public Schools": ["Choose to Change", "After-School Matters"],
    "Streets and Sanitation": ["Blight Removal"],
}
PROGRAM_STRATEGY = {
    "Youth Employment": "employment", "Violence Prevention": "violence_interruption",
    "Case Management": "social_services_navigation",
    "Victim Services, Outreach": "social_services_navigation",
    "Trauma-Informed Centers of Care": "health_wellness",
    "Mental Health Navigation": "health_wellness", "Healing Hubs": "health_wellness",
    "Neighborhood Opportunity Fund": "community_revitalization",
    "Vacant Lot Reactivation": "community_revitalization",
    "Peacekeepers": "violence_interruption",
    "Community Violence Intervention": "violence_interruption",
    "Summer Safety": "violence_diversion",
    "Restorative Justice Diversion": "violence_diversion", "Youth Diversion": "violence_diversion",
    "Safe Housing": "social_services_navigation", "Anti-Displacement Grants":
    "community_revitalization", "Choose to Change": "education_youth",
    "After-School Matters": "education_youth", "Blight Removal": "community_revitalization",
}
SOURCES = ["Corporate Fund", "Chicago Recovery Plan (ARPA)", "DOJ CVIPI grant",
           "IDHS Reimagine Public Safety", "Partnership for Safe and Peaceful Communities"]
ORGS = [
    # name, sectors, areas (empty = citywide), capacity per week
    ("Austin Peace Circle", ["violence_reduction", "youth_services"], [25], 120),
    ("Lawndale Healing Collective", ["mental_health", "healthcare"], [29, 30], 200),
    ("West Side Youth League", ["youth_services", "education"], [23, 26, 27], 300),
    ("South Shore Works", ["business"], [43], 80),
    ("Englewood Neighbors United", ["violence_reduction", "faith"], [68, 67], 150),
    ("Roseland Victim Advocates", ["victim_services"], [49, 53], 60),
    ("Citywide Crisis Line", ["mental_health"], [], 1000),
    ("Auburn Gresham Family Center", ["healthcare", "youth_services"], [71], 90),
    ("Chatham Faith Alliance", ["faith"], [44, 69], 70),
    ("North Side Mentors", ["youth_services"], [1, 2, 3, 77], 250),
    ("Loop Business Partners", ["business"], [32, 33, 28], 40),
    ("Little Village Unidos", ["violence_reduction", "victim_services", "youth_services"],
     [30, 31], 180),
]


def money(rng, lo, hi):
    return round(rng.uniform(lo, hi), 2)


def main(out):
    rng = random.Random(20210701)
    areas = list(range(1, 78))
    allocs, spends = [], []
    n = 0
    for dept, programs in DEPARTMENTS.items():
        for prog in programs:
            for _ in range(rng.randint(4, 9)):
                n += 1
                ref = "FY21-%03d" % n
                kind = rng.random()
                if kind < 0.75:
                    start, end = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
                elif kind < 0.85:
                    start, end = dt.date(2020, 7, 1), dt.date(2021, 6, 30)
                elif kind < 0.95:
                    start, end = dt.date(2021, 7, 1), dt.date(2022, 6, 30)
                else:
                    m = rng.randint(3, 9)
                    start, end = dt.date(2021, m, 1), dt.date(2021, m + 2, 28)
                r = rng.random()
                if r < 0.15:
                    a = []
                elif r < 0.7:
                    a = sorted(rng.sample(PRIORITY, rng.randint(1, 4)))
                else:
                    a = sorted(rng.sample(areas, rng.randint(1, 5)))
                org = ""
                recip = ""
                if rng.random() < 0.4:
                    org = rng.choice(ORGS)[0]
                else:
                    recip = rng.choice(["Delegate agency pool", "Chicago CRED", "READI Chicago",
                                        "Metropolitan Family Services", ""])
                amount = money(rng, 25000, 2500000)
                allocs.append({
                    "ref": ref, "source": rng.choice(SOURCES), "department": dept,
                    "program": prog, "strategy": PROGRAM_STRATEGY[prog], "organization": org,
                    "recipient": recip, "amount": "%.2f" % amount, "start": start.isoformat(),
                    "end": end.isoformat(), "areas": ";".join(str(x) for x in a),
                    "notes": rng.choice(["", "renewal", "new award, \"pilot\"", "multi-year"]),
                })
                left = amount
                for k in range(rng.randint(0, 6)):
                    day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
                    amt = round(min(left, rng.uniform(0.02, 0.2) * amount), 2)
                    if amt <= 0:
                        break
                    left -= amt
                    spends.append({"ref": ref, "day": day.isoformat(), "amount": "%.2f" % amt,
                                   "note": rng.choice(["invoice", "payroll", "Q%d draw" %
                                                       ((day.month - 1) // 3 + 1), ""])})
    spends.sort(key=lambda s: (s["day"], s["ref"]))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "allocations_fy2021.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(allocs[0]))
        w.writeheader()
        w.writerows(allocs)
    with open(os.path.join(out, "spending_fy2021.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["ref", "day", "amount", "note"])
        w.writeheader()
        w.writerows(spends)
    with open(os.path.join(out, "organizations.json"), "w") as f:
        json.dump([{"name": o[0], "sectors": o[1], "areas": o[2], "capacity": o[3]}
                   for o in ORGS], f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
