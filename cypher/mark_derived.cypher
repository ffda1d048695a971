// After a student's mastery and theta were recomputed from every stored attempt: the watermark
// stale_students compares with the attempt count
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})
OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)
WITH s, count(a) AS n
SET s.derived_attempts = n
RETURN count(s) AS n
