-- The admin's human loop: the review queue (filled by audit for emails that are not
-- auto-written), the labels people correct there (gold format, read by
-- `triage labels export`), and the trail of every admin action (who did what).
-- depends: 0003_crm_ledger

CREATE TABLE review_queue (
    email_id     text PRIMARY KEY,
    thread_id    text        NOT NULL,
    -- why it needs a person: 'low_confidence' | 'schema_failure' | 'suggest'
    reason       text        NOT NULL,
    band         text        NOT NULL,
    queue        text        NOT NULL,
    intent       text        NOT NULL,
    confidence   double precision NOT NULL,
    -- open | corrected | approved | dismissed
    status       text        NOT NULL DEFAULT 'open',
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolved_by  text
);
CREATE INDEX review_queue_status_idx ON review_queue (status, created_at DESC);

-- One gold-format expected object per email (see docs gold-format.md): the
-- correction a person made, which feeds the next training/evaluation set.
CREATE TABLE eval_labels (
    email_id     text PRIMARY KEY,
    labels       jsonb       NOT NULL,
    labelled_by  text        NOT NULL,
    labelled_at  timestamptz NOT NULL DEFAULT now(),
    source       text        NOT NULL DEFAULT 'admin'
);

CREATE TABLE admin_actions (
    id        bigserial PRIMARY KEY,
    actor     text        NOT NULL,
    action    text        NOT NULL,
    email_id  text,
    detail    jsonb       NOT NULL DEFAULT '{}',
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_actions_email_idx ON admin_actions (email_id, at DESC);
CREATE INDEX admin_actions_at_idx ON admin_actions (at DESC);
