-- The counter takes over again from the highest reference of each year.
INSERT INTO case_reference_counters (year, last_number)
SELECT CAST(substr(reference, 5, 4) AS INTEGER), MAX(CAST(substr(reference, 10) AS BIGINT))
FROM cases GROUP BY 1
ON CONFLICT (year) DO UPDATE SET last_number = GREATEST(case_reference_counters.last_number, EXCLUDED.last_number);
DO $$
DECLARE s RECORD;
BEGIN
    FOR s IN SELECT sequencename FROM pg_sequences WHERE sequencename LIKE 'case\_reference\_%' LOOP
        EXECUTE format('DROP SEQUENCE %I', s.sequencename);
    END LOOP;
END
$$;
DROP FUNCTION rempart_next_case_number(INTEGER);
