// The stored content of these event ids: a re-sent attempt is "existing" only when it matches
// (no labels on the ends: with them FalkorDB scans every student's attempts, 137 ms against
// 0.1 ms through the ATTEMPTED.event_id index; only students attempt questions anyway)
UNWIND $ids AS id
MATCH (s)-[a:ATTEMPTED {event_id: id}]->(q)
RETURN a.event_id AS event_id, s.id AS student_id, q.id AS question_id, a.correct AS correct
