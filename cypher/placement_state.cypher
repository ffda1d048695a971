// Whether a placement test placed the student (when), and whether they have answered anything
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)
RETURN s.placed_at AS placed_at, count(a) AS attempts
