// A student's latest answers, newest first (the caller reverses them)
MATCH (s:Student {id: $student_id})-[a:ATTEMPTED]->(q:Question)
RETURN q.id AS question_id, a.correct AS correct
ORDER BY a.ts DESC, a.seq DESC
LIMIT $limit
