"""Approved and paid data cannot be changed even by ``QuerySet.update()``/``delete()``.

The models' ``save``/``delete`` guard every ordinary path; these PostgreSQL triggers
guard the set-based ones that skip the models. Row triggers do not fire on TRUNCATE,
so test flushes still work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations

# SQLSTATE 23000 (integrity_constraint_violation): Django raises it as IntegrityError.
FORWARD = r"""
CREATE FUNCTION compensation_refuse_payline_write() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'compensation_payline % refused: an approved pay line never changes', TG_OP
        USING ERRCODE = '23000';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_payline_immutable
    BEFORE UPDATE OR DELETE ON compensation_payline
    FOR EACH ROW EXECUTE FUNCTION compensation_refuse_payline_write();

CREATE FUNCTION compensation_refuse_periodmember_write() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'compensation_periodmember % refused: the staff frozen at close never change',
        TG_OP USING ERRCODE = '23000';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_periodmember_immutable
    BEFORE UPDATE OR DELETE ON compensation_periodmember
    FOR EACH ROW EXECUTE FUNCTION compensation_refuse_periodmember_write();

-- Once approved only paid_by_id/paid_at may change, and only until they are set.
CREATE FUNCTION compensation_refuse_approved_revision_write() RETURNS trigger AS $$
BEGIN
    IF OLD.approved_at IS NULL THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE'
        OR (OLD.paid_at IS NOT NULL AND to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD))
        OR (to_jsonb(NEW) - 'paid_by_id' - 'paid_at')
            IS DISTINCT FROM (to_jsonb(OLD) - 'paid_by_id' - 'paid_at')
    THEN
        RAISE EXCEPTION 'compensation_revision % refused: revision % is approved', TG_OP, OLD.id
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_revision_immutable
    BEFORE UPDATE OR DELETE ON compensation_revision
    FOR EACH ROW EXECUTE FUNCTION compensation_refuse_approved_revision_write();

CREATE FUNCTION compensation_refuse_approved_proposal_write() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM compensation_revision r
        WHERE r.approved_at IS NOT NULL AND (
            (TG_OP <> 'INSERT' AND r.id = OLD.revision_id)
            OR (TG_OP <> 'DELETE' AND r.id = NEW.revision_id)
        )
    ) THEN
        RAISE EXCEPTION 'compensation_proposalline % refused: its revision is approved', TG_OP
            USING ERRCODE = '23000';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_proposalline_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON compensation_proposalline
    FOR EACH ROW EXECUTE FUNCTION compensation_refuse_approved_proposal_write();

-- From close on, the frozen figures stay as they were frozen and the period stays.
CREATE FUNCTION compensation_refuse_frozen_period_write() RETURNS trigger AS $$
BEGIN
    IF OLD.closed_at IS NULL THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' OR (
        NEW.department_id, NEW.month, NEW.closed_at, NEW.closed_by_id, NEW.frozen_scheme,
        NEW.collected, NEW.payment_count, NEW.daily_totals, NEW.head_id, NEW.head_base_salary
    ) IS DISTINCT FROM (
        OLD.department_id, OLD.month, OLD.closed_at, OLD.closed_by_id, OLD.frozen_scheme,
        OLD.collected, OLD.payment_count, OLD.daily_totals, OLD.head_id, OLD.head_base_salary
    ) THEN
        RAISE EXCEPTION 'compensation_bonusperiod % refused: period % is closed', TG_OP, OLD.id
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_bonusperiod_frozen
    BEFORE UPDATE OR DELETE ON compensation_bonusperiod
    FOR EACH ROW EXECUTE FUNCTION compensation_refuse_frozen_period_write();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS compensation_bonusperiod_frozen ON compensation_bonusperiod;
DROP TRIGGER IF EXISTS compensation_proposalline_immutable ON compensation_proposalline;
DROP TRIGGER IF EXISTS compensation_revision_immutable ON compensation_revision;
DROP TRIGGER IF EXISTS compensation_periodmember_immutable ON compensation_periodmember;
DROP TRIGGER IF EXISTS compensation_payline_immutable ON compensation_payline;
DROP FUNCTION IF EXISTS compensation_refuse_frozen_period_write();
DROP FUNCTION IF EXISTS compensation_refuse_approved_proposal_write();
DROP FUNCTION IF EXISTS compensation_refuse_approved_revision_write();
DROP FUNCTION IF EXISTS compensation_refuse_periodmember_write();
DROP FUNCTION IF EXISTS compensation_refuse_payline_write();
"""


def _run(sql: str) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        # No parameters: the SQL's % signs are PL/pgSQL's, not placeholders.
        schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(REVERSE), elidable=False),
    ]
