-- VetDesk sede store, migration 0016: a sale whose document SUNAT rejected gets a new document
-- (the rejected number stays used up and kept). A sale may therefore have several documents over
-- time; the latest is the one in force. What stays unique is the number within its series.
DROP INDEX fiscal_documents_sale;
CREATE INDEX fiscal_documents_sale ON fiscal_documents(sale_id, issued_at);
