-- The seed design's data model (audit) and the local CRM backend.
-- Forward-only: never edit a migration that has shipped, add a new one.
-- depends:

CREATE TABLE emails (
    email_id     text PRIMARY KEY,
    thread_id    text        NOT NULL,
    message_id   text,
    mailbox      text        NOT NULL,
    source       text,
    gmail_id     text,
    received_at  timestamptz NOT NULL,
    size_bytes   bigint,
    truncated    boolean     NOT NULL DEFAULT false,
    raw          bytea,
    subject      text,
    from_email   text,
    language     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emails_thread_idx ON emails (thread_id);
CREATE INDEX emails_received_idx ON emails (received_at DESC);

CREATE TABLE extractions (
    email_id      text        NOT NULL,
    model         text        NOT NULL,
    model_version text        NOT NULL,
    schema_name   text        NOT NULL,
    thread_id     text        NOT NULL,
    decided_by    text        NOT NULL,
    intent        text        NOT NULL,
    confidence    double precision NOT NULL,
    data          jsonb       NOT NULL,
    tokens_in     bigint      NOT NULL DEFAULT 0,
    tokens_out    bigint      NOT NULL DEFAULT 0,
    cost_usd      numeric(12, 6) NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (email_id, model, model_version)
);
CREATE INDEX extractions_intent_idx ON extractions (intent, created_at DESC);

CREATE TABLE routes (
    email_id     text PRIMARY KEY,
    thread_id    text        NOT NULL,
    queue        text        NOT NULL,
    priority     text        NOT NULL,
    sla_minutes  integer,
    due_at       timestamptz,
    rule         text        NOT NULL,
    reason       text        NOT NULL,
    ignored      boolean     NOT NULL,
    actions      jsonb       NOT NULL,
    received_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routes_queue_idx ON routes (queue, due_at);

CREATE TABLE crm_events (
    idempotency_key  text PRIMARY KEY,
    email_id         text        NOT NULL,
    thread_id        text        NOT NULL,
    action           text        NOT NULL,
    object_type      text,
    object_id        text,
    status           text        NOT NULL,
    backend          text        NOT NULL,
    response_summary text        NOT NULL DEFAULT '',
    at               timestamptz NOT NULL
);
CREATE INDEX crm_events_email_idx ON crm_events (email_id);

CREATE TABLE dead_letters (
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    service          text        NOT NULL,
    error_class      text        NOT NULL,
    error_message    text        NOT NULL,
    attempts         integer     NOT NULL,
    failed_at        timestamptz NOT NULL,
    original_key     bytea,
    PRIMARY KEY (source_topic, source_partition, source_offset)
);

-- The local CRM: what crm-sink writes when no HubSpot/Salesforce is configured.
CREATE TABLE crm_companies (
    id          bigserial PRIMARY KEY,
    domain      text,
    name        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crm_companies_domain_key ON crm_companies (lower(domain)) WHERE domain IS NOT NULL;
CREATE UNIQUE INDEX crm_companies_name_key ON crm_companies (lower(name)) WHERE domain IS NULL;

CREATE TABLE crm_contacts (
    id          bigserial PRIMARY KEY,
    email       text        NOT NULL,
    name        text,
    company_id  bigint REFERENCES crm_companies (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crm_contacts_email_key ON crm_contacts (lower(email));

CREATE TABLE crm_deals (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL,
    company_id  bigint REFERENCES crm_companies (id),
    contact_id  bigint REFERENCES crm_contacts (id),
    amount_usd  numeric(14, 2),
    stage       text        NOT NULL DEFAULT 'open',
    queue       text,
    source_email_id text    NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crm_deals_open_idx ON crm_deals (company_id, contact_id, created_at DESC) WHERE stage = 'open';

-- One row per CRM action ever performed: replays return this instead of writing again.
CREATE TABLE crm_actions_done (
    idempotency_key  text PRIMARY KEY,
    object_type      text        NOT NULL,
    object_id        text,
    status           text        NOT NULL,
    response_summary text        NOT NULL DEFAULT '',
    done_at          timestamptz NOT NULL DEFAULT now()
);
