// Every answer of a batch of students, in order: the daily profile's input
UNWIND $student_ids AS sid
MATCH (:Student {id: sid})-[a:ATTEMPTED]->(q:Question)
RETURN sid AS student_id, q.id AS question_id, a.correct AS correct, a.ts AS ts,
       a.duration_s AS duration_s
ORDER BY student_id, a.ts, a.seq
