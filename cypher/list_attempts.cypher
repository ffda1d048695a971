// One page of a student's attempts, newest first, with the total; each filter is off when null
MATCH (s:Student {id: $student_id})-[a:ATTEMPTED]->(q:Question)
WHERE ($from_ts IS NULL OR a.ts >= $from_ts)
  AND ($to_ts IS NULL OR a.ts <= $to_ts)
  AND ($correct IS NULL OR a.correct = $correct)
  AND ($kp_id IS NULL OR (q)-[:TESTS]->(:KnowledgePoint {id: $kp_id}))
  AND ($chapter_id IS NULL
       OR (q)-[:TESTS]->(:KnowledgePoint)-[:IN_CHAPTER]->(:Chapter {id: $chapter_id}))
OPTIONAL MATCH (q)-[:TESTS]->(k:KnowledgePoint)
WITH a, q, collect(k.id) AS kp_ids
ORDER BY a.ts DESC, a.seq DESC, a.event_id DESC
WITH collect({event_id: a.event_id, question_id: q.id, kp_ids: kp_ids, correct: a.correct,
              ts: a.ts, duration_s: a.duration_s, source: coalesce(a.source, '')}) AS rows
RETURN size(rows) AS total, rows[$skip..$skip + $limit] AS page
