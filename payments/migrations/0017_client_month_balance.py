"""Each client's month of invoices and payments, settled by the database.

``ClientMonthBalance`` holds, per client and month, what was invoiced, paid and settled
and each invoice still open, so that the cockpit reads a page of clients and its totals
in SQL. The settlement is ``payments.settlement.settle`` (the named invoice first, then
the rest oldest first; what is beyond every invoice is credit), run here:

- a payment added to a client-month with at most one invoice adds to its row (one grouped
  upsert per statement, by the payments' own trigger, as ``ClientMonthCollection``'s
  insert does);
- a client handed to another person or department carries their rows along;
- anything else (a client-month with several invoices, a payment changed, voided or
  deleted, an invoice added, changed or removed) recounts the client-months it touched:
  their rows locked first, as ``ClientMonthCollection``'s recount does, then one
  statement for those with at most one invoice and a replay of the payments, in the
  order received, for each with several.

The purpose is read with the pattern of ``payments.settlement.NAMED_PATTERN``, after the
same folding of case, with no class that depends on the database's locale;
``tests/test_client_month_balance.py`` holds the database to the Python function.
"""

from typing import Any

import django.contrib.postgres.fields
import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
LOWER = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
ALNUM = "0-9a-zа-яё"
SPACE = " \t\n\r\f\v\u00a0"
NAMED_PATTERN = (
    f"(?:№|(?<![{ALNUM}_])(?:сч[её]т[а-яё]*|сч\\.|no\\.|invoice))"
    f"[{SPACE}]*(?:№[{SPACE}]*)?((?:[0-9]|[{ALNUM}][{ALNUM}_/-]*[0-9])[{ALNUM}_/-]*)"
)

BALANCE = "payments_clientmonthbalance"

# Built from the constants above only.
FUNCTIONS = rf"""
CREATE FUNCTION payments_fold(t text) RETURNS text AS $$
    SELECT translate(t, '{UPPER}', '{LOWER}')
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION payments_named_numbers(purpose text) RETURNS text[] AS $$
    SELECT coalesce(array_agg(rtrim(m[1], '-/') ORDER BY n), '{{}}')
    FROM regexp_matches(payments_fold(coalesce(purpose, '')), '{NAMED_PATTERN}', 'g')
        WITH ORDINALITY AS r(m, n)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

-- One client-month with several invoices: its payments replayed in the order received.
CREATE FUNCTION payments_balance_replay(p_client bigint, p_month date) RETURNS void AS $$
DECLARE
    numbers text[];
    keys text[];
    dues date[];
    amounts numeric[];
    opens numeric[];
    pay record;
    number_key text;
    named int[];
    found_at int;
    i int;
    remaining numeric;
    taken numeric;
    total_paid numeric := 0;
BEGIN
    SELECT array_agg(number ORDER BY issued_on, due_on, number COLLATE "C"),
        array_agg(payments_fold(number) ORDER BY issued_on, due_on, number COLLATE "C"),
        array_agg(due_on ORDER BY issued_on, due_on, number COLLATE "C"),
        array_agg(amount ORDER BY issued_on, due_on, number COLLATE "C")
    INTO numbers, keys, dues, amounts
    FROM payments_invoice WHERE client_id = p_client AND month = p_month;
    opens := amounts;
    FOR pay IN
        SELECT amount, purpose FROM payments_payment
        WHERE client_id = p_client AND received_on >= p_month
            AND received_on < (p_month + interval '1 month')::date AND voided_at IS NULL
        ORDER BY received_on, id
    LOOP
        total_paid := total_paid + pay.amount;
        remaining := pay.amount;
        named := '{{}}';
        FOREACH number_key IN ARRAY payments_named_numbers(pay.purpose) LOOP
            found_at := array_position(keys, number_key);
            IF found_at IS NOT NULL AND NOT found_at = ANY(named) THEN
                named := named || found_at;
            END IF;
        END LOOP;
        FOREACH i IN ARRAY named || ARRAY(
            SELECT g FROM generate_series(1, cardinality(keys)) AS g
            WHERE NOT g = ANY(named) ORDER BY g
        ) LOOP
            EXIT WHEN remaining = 0;
            taken := LEAST(remaining, opens[i]);
            opens[i] := opens[i] - taken;
            remaining := remaining - taken;
        END LOOP;
    END LOOP;
    UPDATE {BALANCE} b SET
        invoiced = coalesce(o.invoiced, 0), invoice_count = o.invoice_count, paid = total_paid,
        settled = coalesce(o.invoiced - o.still_open, 0), open_numbers = o.open_numbers,
        open_due = o.open_due, open_amounts = o.open_amounts, overdue_from = o.overdue_from
    FROM (
        SELECT sum(u.amount) AS invoiced, count(*)::int AS invoice_count,
            sum(u.open) AS still_open,
            coalesce(array_agg(u.number ORDER BY u.n) FILTER (WHERE u.open > 0), '{{}}')
                AS open_numbers,
            coalesce(array_agg(u.due ORDER BY u.n) FILTER (WHERE u.open > 0), '{{}}')
                AS open_due,
            coalesce(array_agg(u.open ORDER BY u.n) FILTER (WHERE u.open > 0), '{{}}')
                AS open_amounts,
            min(u.due) FILTER (WHERE u.open > 0) AS overdue_from
        FROM unnest(numbers, dues, amounts, opens) WITH ORDINALITY
            AS u(number, due, amount, open, n)
    ) o
    WHERE b.client_id = p_client AND b.month = p_month;
END $$ LANGUAGE plpgsql VOLATILE;

-- The client-months given, counted again from their invoices and payments.
CREATE FUNCTION payments_balance_recount(clients bigint[], months date[]) RETURNS void AS $$
DECLARE
    pair record;
BEGIN
    -- The rows first, locked: a concurrent writer of the same client-month then either
    -- committed already (the count below, a fresh snapshot, sees its rows) or waits for
    -- this transaction and adds its payments to the count made here.
    INSERT INTO {BALANCE} (client_id, department_id, responsible_id, month, invoiced,
        invoice_count, paid, settled, open_numbers, open_due, open_amounts, overdue_from)
    SELECT DISTINCT u.client_id, c.department_id, c.responsible_id, u.month, 0, 0, 0, 0,
        '{{}}'::varchar[], '{{}}'::date[], '{{}}'::numeric[], NULL::date
    FROM unnest(clients, months) AS u(client_id, month)
    JOIN payments_client c ON c.id = u.client_id
    ON CONFLICT (client_id, month) DO NOTHING;
    PERFORM 1 FROM {BALANCE} b
    JOIN unnest(clients, months) AS u(client_id, month)
        ON b.client_id = u.client_id AND b.month = u.month
    ORDER BY b.client_id, b.month
    FOR UPDATE OF b;
    UPDATE {BALANCE} b SET
        department_id = k.department_id, responsible_id = k.responsible_id,
        invoiced = k.invoiced, invoice_count = k.invoice_count, paid = k.paid,
        settled = LEAST(k.invoiced, k.paid),
        open_numbers = CASE WHEN k.paid < k.invoiced THEN ARRAY[k.number] ELSE '{{}}' END,
        open_due = CASE WHEN k.paid < k.invoiced THEN ARRAY[k.due_on] ELSE '{{}}' END,
        open_amounts = CASE WHEN k.paid < k.invoiced THEN ARRAY[k.invoiced - k.paid]
            ELSE '{{}}' END,
        overdue_from = CASE WHEN k.paid < k.invoiced THEN k.due_on END
    FROM (
        SELECT u.client_id, u.month, c.department_id, c.responsible_id,
            coalesce(i.invoiced, 0) AS invoiced, coalesce(i.invoice_count, 0) AS invoice_count,
            i.number, i.due_on,
            (SELECT coalesce(sum(p.amount), 0) FROM payments_payment p
                WHERE p.client_id = u.client_id AND p.received_on >= u.month
                    AND p.received_on < (u.month + interval '1 month')::date
                    AND p.voided_at IS NULL) AS paid
        FROM (SELECT DISTINCT * FROM unnest(clients, months) AS u(client_id, month)) u
        JOIN payments_client c ON c.id = u.client_id
        LEFT JOIN (
            SELECT client_id, month, sum(amount) AS invoiced, count(*)::int AS invoice_count,
                min(number) AS number, min(due_on) AS due_on
            FROM payments_invoice
            WHERE (client_id, month) IN (SELECT * FROM unnest(clients, months))
            GROUP BY client_id, month
        ) i ON i.client_id = u.client_id AND i.month = u.month
    ) k
    WHERE b.client_id = k.client_id AND b.month = k.month AND k.invoice_count <= 1;
    FOR pair IN
        SELECT DISTINCT b.client_id, b.month FROM {BALANCE} b
        JOIN unnest(clients, months) AS u(client_id, month)
            ON b.client_id = u.client_id AND b.month = u.month
        WHERE (SELECT count(*) FROM payments_invoice i
            WHERE i.client_id = b.client_id AND i.month = b.month) > 1
    LOOP
        PERFORM payments_balance_replay(pair.client_id, pair.month);
    END LOOP;
END $$ LANGUAGE plpgsql VOLATILE;

-- The payments' balance trigger: beside migration 0016's client-month collections.
CREATE FUNCTION payments_balance_sync() RETURNS trigger AS $$
DECLARE
    several_clients bigint[];
    several_months date[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- At most one invoice: the settlement follows from the totals. Several: the
        -- client-months returned, replayed below.
        WITH balances AS (
            INSERT INTO {BALANCE} AS b (client_id, department_id, responsible_id, month,
                invoiced, invoice_count, paid, settled, open_numbers, open_due,
                open_amounts, overdue_from)
            SELECT n.client_id, c.department_id, c.responsible_id,
                date_trunc('month', n.received_on)::date, 0, 0, sum(n.amount), 0,
                '{{}}'::varchar[], '{{}}'::date[], '{{}}'::numeric[], NULL::date
            FROM new_rows n JOIN payments_client c ON c.id = n.client_id
            WHERE n.voided_at IS NULL
            GROUP BY n.client_id, c.department_id, c.responsible_id,
                date_trunc('month', n.received_on)
            ON CONFLICT (client_id, month) DO UPDATE
            SET paid = b.paid + EXCLUDED.paid,
                department_id = EXCLUDED.department_id,
                responsible_id = EXCLUDED.responsible_id,
                settled = CASE WHEN b.invoice_count <= 1
                    THEN LEAST(b.invoiced, b.paid + EXCLUDED.paid) ELSE b.settled END,
                open_amounts = CASE
                    WHEN b.invoice_count > 1 THEN b.open_amounts
                    WHEN b.paid + EXCLUDED.paid < b.invoiced
                        THEN ARRAY[b.invoiced - b.paid - EXCLUDED.paid]
                    ELSE '{{}}' END,
                open_numbers = CASE
                    WHEN b.invoice_count > 1 OR b.paid + EXCLUDED.paid < b.invoiced
                        THEN b.open_numbers ELSE '{{}}' END,
                open_due = CASE
                    WHEN b.invoice_count > 1 OR b.paid + EXCLUDED.paid < b.invoiced
                        THEN b.open_due ELSE '{{}}' END,
                overdue_from = CASE
                    WHEN b.invoice_count > 1 OR b.paid + EXCLUDED.paid < b.invoiced
                        THEN b.overdue_from END
            RETURNING b.client_id, b.month, b.invoice_count
        )
        SELECT array_agg(client_id) FILTER (WHERE invoice_count > 1),
            array_agg(month) FILTER (WHERE invoice_count > 1)
        INTO several_clients, several_months
        FROM balances;
        PERFORM payments_balance_replay(u.client_id, u.month)
        FROM unnest(several_clients, several_months) AS u(client_id, month);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM payments_balance_recount(
            array_agg(client_id), array_agg(date_trunc('month', received_on)::date))
        FROM old_rows WHERE voided_at IS NULL;
    ELSE
        -- The purpose too: it may name an invoice.
        PERFORM payments_balance_recount(array_agg(k.client_id), array_agg(k.month))
        FROM (
            WITH changed AS (
                SELECT o.client_id AS old_client, o.received_on AS old_day,
                    n.client_id, n.received_on
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.client_id, o.received_on, o.amount, o.voided_at IS NULL, o.purpose)
                    IS DISTINCT FROM
                    (n.client_id, n.received_on, n.amount, n.voided_at IS NULL, n.purpose)
                    AND (o.voided_at IS NULL OR n.voided_at IS NULL)
            )
            SELECT old_client AS client_id, date_trunc('month', old_day)::date AS month
            FROM changed
            UNION
            SELECT client_id, date_trunc('month', received_on)::date FROM changed
        ) k;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER payments_balance_insert AFTER INSERT ON payments_payment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payments_balance_sync();
CREATE TRIGGER payments_balance_update AFTER UPDATE ON payments_payment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payments_balance_sync();
CREATE TRIGGER payments_balance_delete AFTER DELETE ON payments_payment
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payments_balance_sync();

CREATE FUNCTION payments_invoice_balance_sync() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM payments_balance_recount(array_agg(client_id), array_agg(month))
        FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM payments_balance_recount(array_agg(client_id), array_agg(month))
        FROM old_rows;
    ELSE
        PERFORM payments_balance_recount(array_agg(k.client_id), array_agg(k.month))
        FROM (
            WITH changed AS (
                SELECT o.client_id AS old_client, o.month AS old_month, n.client_id, n.month
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.client_id, o.month, o.number, o.issued_on, o.due_on, o.amount)
                    IS DISTINCT FROM
                    (n.client_id, n.month, n.number, n.issued_on, n.due_on, n.amount)
            )
            SELECT old_client AS client_id, old_month AS month FROM changed
            UNION
            SELECT client_id, month FROM changed
        ) k;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- A client handed to another person or department: their months follow.
CREATE FUNCTION payments_client_balance_follow() RETURNS trigger AS $$
BEGIN
    UPDATE {BALANCE} SET department_id = NEW.department_id, responsible_id = NEW.responsible_id
    WHERE client_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER payments_client_balance_follow
    AFTER UPDATE OF department_id, responsible_id ON payments_client
    FOR EACH ROW
    WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id
        OR OLD.responsible_id IS DISTINCT FROM NEW.responsible_id)
    EXECUTE FUNCTION payments_client_balance_follow();

CREATE TRIGGER payments_invoice_balance_insert AFTER INSERT ON payments_invoice
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payments_invoice_balance_sync();
CREATE TRIGGER payments_invoice_balance_update AFTER UPDATE ON payments_invoice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payments_invoice_balance_sync();
CREATE TRIGGER payments_invoice_balance_delete AFTER DELETE ON payments_invoice
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payments_invoice_balance_sync();
"""  # noqa: S608

REVERSE = """
DROP TRIGGER payments_balance_insert ON payments_payment;
DROP TRIGGER payments_balance_update ON payments_payment;
DROP TRIGGER payments_balance_delete ON payments_payment;
DROP FUNCTION payments_balance_sync();
DROP TRIGGER payments_invoice_balance_insert ON payments_invoice;
DROP TRIGGER payments_invoice_balance_update ON payments_invoice;
DROP TRIGGER payments_invoice_balance_delete ON payments_invoice;
DROP FUNCTION payments_invoice_balance_sync();
DROP TRIGGER payments_client_balance_follow ON payments_client;
DROP FUNCTION payments_client_balance_follow();
DROP FUNCTION payments_balance_recount(bigint[], date[]);
DROP FUNCTION payments_balance_replay(bigint, date);
DROP FUNCTION payments_named_numbers(text);
DROP FUNCTION payments_fold(text);
"""

# Every client-month with an invoice or a counted payment, counted once.
BACKFILL = """
SELECT payments_balance_recount(array_agg(client_id), array_agg(month))
FROM (
    SELECT client_id, month FROM payments_invoice
    UNION
    SELECT client_id, date_trunc('month', received_on)::date FROM payments_payment
    WHERE voided_at IS NULL
) k
"""


def forward(apps: Any, schema_editor: Any) -> None:
    # Room on each page for a row's next version: payments update rows in place.
    schema_editor.execute(f"ALTER TABLE {BALANCE} SET (fillfactor = 70)")
    for sql in [FUNCTIONS, BACKFILL]:
        schema_editor.execute(sql)


def reverse(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(REVERSE)


MONEY = {"decimal_places": 2, "max_digits": 16}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_employee_language"),
        ("payments", "0016_client_month_collection"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientMonthBalance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("invoiced", models.DecimalField(decimal_places=2, max_digits=16)),
                ("invoice_count", models.IntegerField()),
                ("paid", models.DecimalField(decimal_places=2, max_digits=16)),
                ("settled", models.DecimalField(decimal_places=2, max_digits=16)),
                (
                    "owed",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("invoiced"), "-", models.F("settled")
                        ),
                        output_field=models.DecimalField(decimal_places=2, max_digits=16),
                    ),
                ),
                (
                    "credit",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("paid"), "-", models.F("settled")
                        ),
                        output_field=models.DecimalField(decimal_places=2, max_digits=16),
                    ),
                ),
                (
                    "open_numbers",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=100), size=None
                    ),
                ),
                (
                    "open_due",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.DateField(), size=None
                    ),
                ),
                (
                    "open_amounts",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.DecimalField(decimal_places=2, max_digits=16), size=None
                    ),
                ),
                ("overdue_from", models.DateField(null=True)),
                (
                    "client",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="payments.client",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
                (
                    "responsible",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.employee",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("invoice_count__gt", 0)),
                        fields=["department", "month"],
                        name="client_balance_dept_idx",
                    ),
                    models.Index(
                        condition=models.Q(("owed__gt", 0)),
                        fields=["month"],
                        name="client_balance_owing_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("client", "month"), name="client_month_balance")
                ],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
