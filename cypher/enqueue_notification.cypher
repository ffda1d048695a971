// Idempotent: an id already queued keeps every property; `queued` tells whether this call added it
OPTIONAL MATCH (old:Notification {id: $id})
WITH old IS NULL AS queued
MERGE (n:Notification {id: $id})
ON CREATE SET n.to = $to, n.subject = $subject, n.body = $body, n.student_id = $student_id,
              n.kind = $kind, n.status = 'pending', n.attempts = 0, n.next_try = $next_try,
              n.created = $created, n.sent = 0, n.last_error = ''
WITH n, queued
// OPTIONAL MATCH + FOREACH: a student not (yet) in the graph still leaves the message queued
OPTIONAL MATCH (s:Student {id: $student_id})
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (n)-[:ABOUT]->(s))
RETURN n.id AS id, queued
