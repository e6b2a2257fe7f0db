-- Queues lead to action (config/queues.yaml, ADR 0027): the owner a queue gives its mail in the
-- local CRM, the local CRM's support tickets, the desk's SLA clock stops, and the Slack notices
-- already sent (one per email, whoever sends it and however often its batch is redelivered).
-- depends: 0005_admin_sessions

ALTER TABLE crm_contacts ADD COLUMN owner text;
ALTER TABLE crm_deals ADD COLUMN owner text;

CREATE TABLE crm_tickets (
    id               bigserial PRIMARY KEY,
    subject          text        NOT NULL,
    content          text,
    priority         text        NOT NULL,
    queue            text        NOT NULL,
    owner            text,
    status           text        NOT NULL DEFAULT 'new',
    contact_id       bigint REFERENCES crm_contacts (id),
    company_id       bigint REFERENCES crm_companies (id),
    source_email_id  text        NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- The first time a person acted on an email in the desk: its SLA clock stops then and never runs
-- again (a later action is in admin_actions, not here). assignee: who it was assigned to.
CREATE TABLE desk_clock (
    email_id    text PRIMARY KEY,
    stop        text        NOT NULL CHECK (stop IN ('assigned', 'dismissed', 'answered')),
    assignee    text,
    stopped_by  text        NOT NULL,
    stopped_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE queue_notices (
    email_id    text PRIMARY KEY,
    queue       text        NOT NULL,
    channel     text        NOT NULL,
    -- pending: claimed, not yet confirmed by Slack; sent: Slack answered ok (ts); failed: gave up
    status      text        NOT NULL DEFAULT 'pending',
    slack_ts    text,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
