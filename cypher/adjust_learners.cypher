// What the 15-minute adjustment reads of a batch of students, in one round trip: each one's
// recommender view (dataset, IRT ability, BKT mastery, the latest $limit answers newest first
// and the placement, as rec_learner.cypher) and affect tags since $since, oldest first (as
// affect_history.cypher); students by id, an unknown id left out
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})
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
  MATCH (s)-[:FELT]->(e:AffectEvent)
  WHERE e.ts >= $since
  WITH e
  ORDER BY e.ts, e.id
  RETURN collect({tag: e.tag, confidence: e.confidence, source: e.source, ts: e.ts}) AS affect
}
CALL {
  WITH s
  MATCH (s)-[pl:PLACED]->(k:KnowledgePoint)
  RETURN collect({kp_id: k.id, p: pl.p}) AS placed
}
RETURN s.id AS student_id, s.dataset AS dataset, s.theta AS theta, s.theta_var AS var,
       s.theta_responses AS responses, mastery_kps, mastery_p, answer_ids, answer_correct,
       affect, placed, s.placed_at AS placed_at
ORDER BY student_id
