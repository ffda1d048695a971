// One stored attempt by its (namespaced) event id, in the shape of a list_attempts row (no
// labels on the ends, as stored_attempts.cypher: the ATTEMPTED.event_id index answers it)
MATCH (s)-[a:ATTEMPTED {event_id: $event_id}]->(q)
OPTIONAL MATCH (q)-[:TESTS]->(k:KnowledgePoint)
RETURN a.event_id AS event_id, s.id AS student_id, q.id AS question_id,
       collect(k.id) AS kp_ids, a.correct AS correct, a.ts AS ts, a.duration_s AS duration_s,
       coalesce(a.source, '') AS source
