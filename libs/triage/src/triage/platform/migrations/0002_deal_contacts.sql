-- Contacts associated with deals (the seed's "associate it with its company and open deal").
-- depends: 0001_initial

CREATE TABLE crm_deal_contacts (
    deal_id     bigint NOT NULL REFERENCES crm_deals (id),
    contact_id  bigint NOT NULL REFERENCES crm_contacts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deal_id, contact_id)
);
