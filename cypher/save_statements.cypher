// xAPI statements as received (raw JSON text), keyed by tenant-namespaced id; MERGE keeps a
// retried request from storing one twice, and never rewrites a stored statement. Returns the
// ids this request ($batch, unique per call) created: a concurrent request may store some first
UNWIND $rows AS r
MERGE (x:XapiStatement {id: r.id})
ON CREATE SET x.statement_id = r.statement_id, x.raw = r.raw, x.digest = r.digest,
              x.stored = r.stored, x.tenant = r.tenant, x.verb = r.verb, x.kind = r.kind,
              x.ts = r.ts, x.student_id = r.student_id, x.batch = $batch
WITH x
WHERE x.batch = $batch
RETURN x.id AS id
