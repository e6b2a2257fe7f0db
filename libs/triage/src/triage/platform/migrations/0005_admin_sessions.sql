-- The admin web UI's sessions, server-side (ADR 0011): the cookie carries only a random id,
-- this table what it stands for. Logout deletes the row, so a captured cookie is dead from
-- then on; expires_at is fixed at login (absolute, not sliding); every replica reads the same
-- rows. `id` is the SHA-256 (hex) of the cookie's id, so reading this table does not hand
-- out sessions; token_fingerprint is a keyed hash of the admin's token (never the token).
-- depends: 0004_review_and_labels

CREATE TABLE admin_sessions (
    id                 text        PRIMARY KEY,
    actor              text        NOT NULL,
    token_fingerprint  text        NOT NULL,
    csrf               text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL
);
CREATE INDEX admin_sessions_expires_idx ON admin_sessions (expires_at);
