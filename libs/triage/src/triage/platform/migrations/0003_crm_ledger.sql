-- The idempotency ledger of the remote CRM backends (HubSpot, Salesforce): one row per
-- action performed, with its result, so a replayed action returns it instead of writing again.
-- depends: 0002_deal_contacts

CREATE TABLE crm_ledger (
    idempotency_key  text        NOT NULL,
    backend          text        NOT NULL,
    object_type      text        NOT NULL,
    object_id        text,
    status           text        NOT NULL,
    response_summary text        NOT NULL DEFAULT '',
    done_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (backend, idempotency_key)
);
