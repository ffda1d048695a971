// A placement's prior mastery per KP replaces the student's previous one (PLACED edges), and
// the student records when and by which sitting it was placed
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[old:PLACED]->(:KnowledgePoint)
DELETE old
WITH DISTINCT s
SET s.placed_at = $ts, s.placed_by = $sitting_id
WITH s
UNWIND $rows AS r
MATCH (k:KnowledgePoint {id: r.kp_id})
MERGE (s)-[p:PLACED]->(k)
SET p.p = r.p
RETURN count(p) AS n
