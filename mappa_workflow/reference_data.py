"""Reference data loaded by migration 0002: the 42 MAPPA areas and Northamptonshire's agencies.

MAPPA areas follow police force boundaries; the Metropolitan and City of London forces form
one area, London. Northamptonshire's agencies are named as its annual reports name them.
"""

from __future__ import annotations

AREAS_ENGLAND = [
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "Cleveland", "Cumbria",
    "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Essex", "Gloucestershire",
    "Greater Manchester", "Hampshire and Isle of Wight", "Hertfordshire", "Humberside", "Kent",
    "Lancashire", "Leicestershire", "Lincolnshire", "London", "Merseyside", "Norfolk",
    "North Yorkshire", "Northamptonshire", "Northumbria", "Nottinghamshire", "South Yorkshire",
    "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire", "West Mercia",
    "West Midlands", "West Yorkshire", "Wiltshire",
]  # fmt: skip
AREAS_WALES = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]

# (name, short name, agency type) for Northamptonshire, from the 2021/22 and 2024/25 reports.
NORTHAMPTONSHIRE_AGENCIES = [
    ("Northamptonshire Police", "Police", "police"),
    ("The Probation Service (Northamptonshire)", "Probation", "probation"),
    ("HM Prison and Probation Service: prisons", "Prison", "prison"),
    ("Northamptonshire Children's Trust", "Children's Trust", "childrens_social_care"),
    ("Northamptonshire Youth Justice Service", "NYJS", "youth_justice"),
    ("North Northamptonshire Council (housing)", "NNC housing", "housing"),
    ("West Northamptonshire Council (housing)", "WNC housing", "housing"),
    ("Adult Social Care (North and West Northamptonshire councils)", "Adult social care", "adult_social_care"),
    ("Northamptonshire Healthcare NHS Foundation Trust", "NHFT", "health"),
    ("DWP / Jobcentre Plus", "Jobcentre Plus", "dwp"),
    ("Electronic Monitoring Service", "EMS", "electronic_monitoring"),
    ("Home Office Immigration Enforcement", "Immigration Enforcement", "immigration_enforcement"),
    ("St Andrew's Healthcare", "St Andrew's", "other"),
    ("Northamptonshire Fire and Rescue Service: Arson Task Force", "Arson Task Force", "other"),
]

# Every other area starts with one agency of each responsible authority and core duty-to-co-operate type,
# named after the area; the area's administrator renames and adds to them.
GENERIC_AGENCIES = [
    ("{area} Police", "Police", "police"),
    ("The Probation Service ({area})", "Probation", "probation"),
    ("HM Prison and Probation Service: prisons ({area})", "Prison", "prison"),
    ("{area} children's social care", "Children's social care", "childrens_social_care"),
    ("{area} youth justice service", "YJS", "youth_justice"),
    ("{area} housing authorities", "Housing", "housing"),
    ("{area} adult social care", "Adult social care", "adult_social_care"),
    ("{area} NHS mental health trust", "Health", "health"),
    ("DWP / Jobcentre Plus ({area})", "Jobcentre Plus", "dwp"),
    ("Electronic Monitoring Service ({area})", "EMS", "electronic_monitoring"),
]

# Population aged 10 and over. The published reports give the rate, not the denominator: these are
# estimates chosen to reproduce the published rate from the published Category 1 total. Replace them
# with the ONS figures in the admin ("Area populations") when you have them.
NORTHAMPTONSHIRE_POPULATIONS = [
    (
        2021,
        690_400,
        "Estimate consistent with the published 2021/22 rate (125 per 100,000 from 863 Category 1): the report "
        "cites the 21 March 2021 census population estimate, ONS, 28 June 2022, excluding those aged under 10.",
    ),
    (
        2024,
        721_200,
        "Estimate consistent with the published 2024/25 rate (132 per 100,000 from 952 Category 1): the report "
        "cites the mid-2024 estimated resident population, ONS, 30 July 2025, excluding those aged under 10.",
    ),
]


def slugify_area(name: str) -> str:
    return name.lower().replace(" and ", "-").replace(" ", "-").replace("'", "")
