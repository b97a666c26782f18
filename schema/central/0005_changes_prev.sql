-- VetDesk central, migration 0005: each change carries what its writer had seen of the columns it
-- overwrote (`prev`, JSON as the sede sent it), passed on to every sede that pulls it (issue 9).
ALTER TABLE changes ADD COLUMN prev TEXT;
