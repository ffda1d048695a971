// The stored content of these event ids: a re-sent attempt is "existing" only when it matches
UNWIND $ids AS id
MATCH (s:Student)-[a:ATTEMPTED {event_id: id}]->(q:Question)
RETURN a.event_id AS event_id, s.id AS student_id, q.id AS question_id, a.correct AS correct
