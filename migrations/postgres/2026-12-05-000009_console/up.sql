-- Sessions of the web console. The browser holds a random token in an HttpOnly cookie;
-- only its SHA-256 digest is stored. A session ends at logout, after its idle timeout or
-- absolute lifetime (the service's settings), and with the user's token version (password
-- or role change, disabling), as the API's tokens do. Each carries the token that every
-- form of the console must send back (CSRF).
CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_version INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
