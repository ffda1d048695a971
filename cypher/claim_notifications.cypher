// One query claims and returns the batch, so two senders never claim the same message: FalkorDB
// runs it atomically; on Neo4j, setting _lock takes the write lock first and the claim is then
// checked again against the committed value. A crashed sender's claim expires at claimed_until.
MATCH (n:Notification)
WHERE n.status = 'pending' AND n.next_try <= $now AND coalesce(n.claimed_until, 0) <= $now
WITH n
ORDER BY n.created, n.id
LIMIT $limit
SET n._lock = true
WITH n
WHERE n.status = 'pending' AND coalesce(n.claimed_until, 0) <= $now
SET n.claimed_until = $now + $lease_ms, n._lock = null
RETURN n.id AS id, n.to AS to, n.subject AS subject, n.body AS body,
       n.student_id AS student_id, n.kind AS kind, n.status AS status, n.attempts AS attempts,
       n.next_try AS next_try, n.created AS created, n.sent AS sent, n.last_error AS last_error
ORDER BY created, id
