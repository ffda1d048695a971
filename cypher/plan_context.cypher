// What the planner reads of a student, in one round trip: what the recommender reads (as
// rec_learner: dataset, theta, BKT mastery, the latest answers newest first, the placement), the affect tags
// since $since oldest first, and the student's latest adjustment (none: an empty list)
MATCH (s:Student {id: $student_id})
CALL {
  WITH s
  MATCH (s)-[m:MASTERY]->(k:KnowledgePoint)
  RETURN collect({kp_id: k.id, p: m.p}) AS mastery
}
CALL {
  WITH s
  MATCH (s)-[a:ATTEMPTED]->(q:Question)
  WITH a, q
  ORDER BY a.ts DESC, a.seq DESC
  LIMIT $limit
  RETURN collect({question_id: q.id, correct: a.correct}) AS answers
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
  MATCH (s)-[:ADJUSTED]->(j:Adjustment)
  WITH j
  ORDER BY j.window DESC
  LIMIT 1
  RETURN collect({window: j.window, actions: j.actions}) AS adjustments
}
CALL {
  WITH s
  MATCH (s)-[pl:PLACED]->(k:KnowledgePoint)
  RETURN collect({kp_id: k.id, p: pl.p}) AS placed
}
RETURN s.dataset AS dataset, s.theta AS theta, s.theta_var AS var,
       s.theta_responses AS responses, mastery, answers, affect,
       adjustments, placed, s.placed_at AS placed_at
