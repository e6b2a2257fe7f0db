-- The operator's desk (issue #15, ADR 0025).
-- emails.clean_parts: the string fields of the email's email.clean record that evidence spans
-- index (subject, from_*, reply_to, text, signature, quoted, footer, forwarded.*), so the admin
-- can show the visible text with each extracted field's span. Bounded by the normaliser
-- (200,000 characters of body text, 16,384 per header) and cut again by audit; personal data:
-- `triage purge-raw` nulls it with the raw body.
-- routes.corrected_*: a person's correction re-decided the route (same rules and bands as the
-- route service); the model's own decision is kept in model_route, and audit no longer
-- overwrites a corrected route when the email is routed again.
-- depends: 0006_desk_queues

ALTER TABLE emails ADD COLUMN IF NOT EXISTS clean_parts jsonb;

ALTER TABLE routes ADD COLUMN IF NOT EXISTS corrected_by text;
ALTER TABLE routes ADD COLUMN IF NOT EXISTS corrected_at timestamptz;
ALTER TABLE routes ADD COLUMN IF NOT EXISTS model_route jsonb;
