-- The operator's desk, finding things (issue #15, ADR 0026): indexes for the email list's
-- keyset pages and filters, and what people decided about each dead letter.
-- depends: 0006_desk_queues

-- The list's order is (received_at, email_id) descending: one index serves every page,
-- the inbox filter has its own prefix.
CREATE INDEX emails_list_idx ON emails (received_at DESC, email_id DESC);
CREATE INDEX emails_mailbox_list_idx ON emails (mailbox, received_at DESC, email_id DESC);
-- The search over subject and sender is a substring match (ILIKE '%term%'): trigrams.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX emails_subject_trgm_idx ON emails USING gin (subject gin_trgm_ops);
CREATE INDEX emails_from_trgm_idx ON emails USING gin (from_email gin_trgm_ops);
-- Filters on the joined tables probe by email id; these answer "which emails have X" when X is rare.
CREATE INDEX routes_queue_received_idx ON routes (queue, received_at DESC, email_id DESC);
CREATE INDEX extractions_latest_idx ON extractions (email_id, created_at DESC);
CREATE INDEX crm_events_status_idx ON crm_events (status, email_id);
CREATE INDEX review_queue_status_email_idx ON review_queue (status, email_id);

-- A dead letter is a record on email.dlq (topic, partition, offset): it cannot change, so what
-- people decided about it lives here. The row is the guard: a replay claims it in the same
-- transaction that waits for the broker's acknowledgement, so two clicks (two replicas, the
-- CLI and the UI) replay a letter once; replaying it again needs an explicit --again.
CREATE TABLE dead_letter_states (
    dlq_topic      text        NOT NULL,
    dlq_partition  integer     NOT NULL,
    dlq_offset     bigint      NOT NULL,
    -- replayed | discarded
    state          text        NOT NULL,
    -- how many times people replayed this letter (1 unless replayed --again)
    replays        integer     NOT NULL DEFAULT 0,
    actor          text        NOT NULL,
    reason         text,
    decided_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);
