"""On PostgreSQL, the function behind a redemption's hold in one round trip
(`ledger.hold_redemption`, docs/POINTS.md "Locking"). SQLite (the demo) has no such function
and takes the same steps from Python (`ledger.post`).

The function writes what the Python path writes, in the same order and with the same locks:
the redemption, its history row, then the hold — the worker's conditional debit (which locks
their account), the posting, its two entries, one item out of stock, and escrow last. It
returns the redemption's id. A refusal raises, so nothing sent after the call in the same
round trip (the COMMIT) runs, and the transaction rolls back: SQLSTATE YZ001 the pick-up code
is taken (draw another and run the transaction again), YZ002 the worker's balance is below
the price (the balance in DETAIL), YZ003 the item is out of stock. Any change to these
tables' columns must replace the function in a later migration (the parity tests in
tests/points/test_hold_paths.py fail until it does).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION points_hold_redemption(
    p_worker bigint, p_item bigint, p_station bigint, p_code varchar, p_points integer,
    p_at timestamptz, p_expires timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_redemption bigint;
    v_account bigint;
    v_balance bigint;
    v_posting bigint;
BEGIN
    INSERT INTO points_redemption
        (code, worker_id, item_id, station_id, points, status, created_at, expires_at)
    VALUES (p_code, p_worker, p_item, p_station, p_points, 'held', p_at, p_expires)
    ON CONFLICT (code) DO NOTHING
    RETURNING id INTO v_redemption;
    IF v_redemption IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YZ001', MESSAGE = 'pick-up code taken';
    END IF;
    INSERT INTO points_redemptionevent (redemption_id, status, at, by_id, note)
    VALUES (v_redemption, 'held', p_at, p_worker, '');

    -- 1. the worker's account: lock, check and debit in one statement
    UPDATE points_account SET balance = balance - p_points
    WHERE owner_id = p_worker AND balance >= p_points
    RETURNING id INTO v_account;
    IF v_account IS NULL THEN
        SELECT balance INTO v_balance FROM points_account WHERE owner_id = p_worker;
        RAISE EXCEPTION USING ERRCODE = 'YZ002', MESSAGE = 'insufficient points',
            DETAIL = coalesce(v_balance, 0)::text;
    END IF;
    INSERT INTO points_posting
        (kind, source_type, source_id, rule_id, redemption_id, reverses_id, reason,
         created_by_id, created_at)
    VALUES ('hold', 'redemption', v_redemption::text, NULL, v_redemption, NULL, '', p_worker,
            p_at)
    RETURNING id INTO v_posting;
    INSERT INTO points_entry (posting_id, account_id, amount)
    VALUES (v_posting, v_account, -p_points),
           (v_posting, (SELECT id FROM points_account WHERE code = 'escrow'), p_points);

    -- 2. the catalogue item's stock, then 3. escrow: the city-wide hot rows, last
    UPDATE points_catalogitem SET stock = stock - 1 WHERE id = p_item AND stock >= 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YZ003', MESSAGE = 'out of stock';
    END IF;
    UPDATE points_account SET balance = balance + p_points WHERE code = 'escrow';
    RETURN v_redemption;
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS points_hold_redemption(bigint, bigint, bigint, varchar, integer,"
DROP += " timestamptz, timestamptz)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("points", "0003_award_requests")]

    operations = [migrations.RunPython(create, drop)]
