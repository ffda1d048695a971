// What the score sent to the LMS is made of: answers since the first launch of the link
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)
WHERE a.ts >= $since
RETURN count(a) AS answers, sum(CASE WHEN a.correct THEN 1 ELSE 0 END) AS correct
