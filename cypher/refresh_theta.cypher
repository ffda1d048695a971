// Theta recomputed from a student's stored answers, written only while the student still has
// exactly the answers it was computed from: an ingest that stored a later answer writes its
// own, so concurrent ingests never leave theta behind the attempts. Mastery was refreshed
// before (graph/ingest.py), so the same count is the watermark of all derived state,
// derived_attempts (stale_students.cypher)
UNWIND $rows AS r
MATCH (s:Student {id: r.id})
OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)
WITH s, r, count(a) AS stored
WHERE stored = r.responses
SET s.theta = r.theta, s.theta_var = r.var, s.theta_responses = r.responses,
    s.derived_attempts = r.responses
RETURN count(s) AS n
