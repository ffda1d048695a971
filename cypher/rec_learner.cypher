// What the recommender reads of a student, in one round trip: dataset, IRT ability (theta
// and the answers it rests on; null until a fit or an answer wrote it), BKT mastery per KP,
// the latest answers newest first (ids and answers as two lists: a list of maps costs the
// client three times as much to parse), the prior mastery a placement test set (if any) and,
// if $kept, the models' state kept for the student (null if none; up to 130 KB, so only the
// recommender asks for it)
MATCH (s:Student {id: $student_id})
CALL {
  WITH s
  MATCH (s)-[m:MASTERY]->(k:KnowledgePoint)
  RETURN collect(k.id) AS mastery_kps, collect(m.p) AS mastery_p
}
CALL {
  WITH s
  MATCH (s)-[a:ATTEMPTED]->(q:Question)
  WITH a, q
  ORDER BY a.ts DESC, a.seq DESC
  LIMIT $limit
  RETURN collect(q.id) AS answer_ids, collect(a.correct) AS answer_correct
}
CALL {
  WITH s
  MATCH (s)-[pl:PLACED]->(k:KnowledgePoint)
  RETURN collect({kp_id: k.id, p: pl.p}) AS placed
}
RETURN s.dataset AS dataset, s.theta AS theta, s.theta_var AS var,
       s.theta_responses AS responses, mastery_kps, mastery_p, answer_ids,
       answer_correct, placed, s.placed_at AS placed_at,
       CASE WHEN $kept THEN s.model_state ELSE null END AS model_state
