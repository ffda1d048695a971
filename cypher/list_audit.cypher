// Curriculum changes, newest first; $datasets null for all
MATCH (e:AuditEntry)
WHERE $datasets IS NULL OR e.dataset IN $datasets
RETURN e.id AS id, e.ts AS ts, e.who AS who, e.action AS action, e.target AS target,
       e.dataset AS dataset, e.details AS details
ORDER BY ts DESC, id DESC
SKIP $skip
LIMIT $limit
