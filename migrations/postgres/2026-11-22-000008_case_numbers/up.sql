-- Case numbers on PostgreSQL come from one sequence per year instead of the counter row,
-- which stayed locked from a case's creation to its commit and so serialised every
-- creation. A sequence is not transactional: a creation that rolls back leaves a gap in
-- the numbering (references stay unique and ordered). The sequence of a year is created
-- by its first case, starting after both the old counter and the highest reference of
-- that year (after an upgrade, a restore or a move from SQLite).
CREATE FUNCTION rempart_next_case_number(y INTEGER) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
    seq TEXT := 'case_reference_' || y;
    start BIGINT;
BEGIN
    IF to_regclass(seq) IS NULL THEN
        -- One creator at a time; the others find the sequence once it is committed (taking
        -- a table lock also refreshes this session's view of the catalog).
        LOCK TABLE case_reference_counters IN EXCLUSIVE MODE;
        IF to_regclass(seq) IS NULL THEN
            SELECT GREATEST(
                COALESCE((SELECT last_number FROM case_reference_counters WHERE year = y), 0),
                COALESCE((SELECT MAX(CAST(substr(reference, 10) AS BIGINT)) FROM cases
                          WHERE reference LIKE 'RMP-' || y || '-%'), 0))
            INTO start;
            EXECUTE format('CREATE SEQUENCE %I START WITH %s MINVALUE 1', seq, start + 1);
        END IF;
    END IF;
    RETURN nextval(seq);
END
$$;
