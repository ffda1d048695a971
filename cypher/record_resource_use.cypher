// A student opened a resource: one USED edge per (student, resource, ts), so a retried
// request stores it once; nothing when the student or the resource is unknown
MATCH (s:Student {id: $student_id})
WITH s
MATCH (r:Resource {id: $resource_id})
MERGE (s)-[u:USED {ts: $ts}]->(r)
RETURN r.id AS id, r.url AS url
