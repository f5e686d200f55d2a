-- Trigram indexes let the staff fleet search match any part of a name, subdomain, domain or email
-- (LIKE '%term%') without scanning every row. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
