"""Make the audit table append-only in the database itself, not only in the application.

PostgreSQL: a trigger refuses UPDATE and DELETE of any audit row, whoever connects. TRUNCATE is
not refused here because the test runner empties tables with it; production denies TRUNCATE by
not granting it to the application's role (docs/security.md).

SQLite (development and the quick test run): a trigger refuses UPDATE. DELETE is left to
``verify_audit`` (a removed row breaks the chain) because Django's test runner empties SQLite
tables with DELETE between transactional tests.
"""

from django.db import migrations

TABLE = "mappa_workflow_auditevent"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION mappa_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % of an audit row is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS mappa_audit_append_only ON {TABLE};
CREATE TRIGGER mappa_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION mappa_audit_append_only();
"""
POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS mappa_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS mappa_audit_append_only();
"""
SQLITE_CREATE = f"""
CREATE TRIGGER IF NOT EXISTS mappa_audit_no_update BEFORE UPDATE ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE of an audit row is refused');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS mappa_audit_no_update;"


def _run(schema_editor, statements: dict[str, str]) -> None:
    sql = statements.get(schema_editor.connection.vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [("mappa_workflow", "0002_reference_data")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
