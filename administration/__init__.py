"""The Django admin for every app's records, and the administrator's jobs (retention, the demo).

Top layer, beside web and api: it may read every app, and asks ``need_to_know`` what each user may see
(``administration.scoping``). No other app imports it.
"""
