DROP TABLE assignment_decisions;
DROP TABLE rotation;
DROP TABLE check_ins;
DROP TABLE shifts;
ALTER TABLE users DROP COLUMN cleared_for_restricted;
ALTER TABLE users DROP COLUMN capacity;
