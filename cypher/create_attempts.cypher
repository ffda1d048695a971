// Callers pass only event ids not stored yet (count_existing_attempts, existing_attempts); the
// unique constraint on ATTEMPTED.event_id turns a racing duplicate into an error, never a copy
UNWIND $rows AS r
MATCH (s:Student {id: r.student_id})
MATCH (q:Question {id: r.question_id})
CREATE (s)-[a:ATTEMPTED {event_id: r.event_id, correct: r.correct, ts: r.ts, seq: r.seq,
                         duration_s: r.duration_s, source: r.source}]->(q)
RETURN count(a) AS n
