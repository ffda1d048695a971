// What the planner reads of a student, in one round trip: what the recommender reads (as
// rec_learner: dataset, theta, BKT mastery, the latest answers newest first, the placement,
// the models' kept state),
// the affect tags since $since oldest first, the student's latest adjustment (none: an empty list), and
// their arm in a running experiment with the practice answers given since it started; the
// answers' times tell what was answered since the adjustment (a practice set's progress)
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
  RETURN collect(q.id) AS answer_ids, collect(a.correct) AS answer_correct,
         collect(a.ts) AS answer_ts
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
CALL {
  WITH s
  MATCH (s)-[e:ENROLLED]->(x:Experiment)
  WHERE x.phase = 'running' AND e.arm IS NOT NULL
  OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)
  WHERE a.ts >= x.starts_at AND coalesce(a.source, '') <> 'test'
  WITH e, x, count(a) AS answered
  RETURN collect({experiment_id: x.id, arm: e.arm, budget: x.budget,
                  answered: answered}) AS arms
}
RETURN s.dataset AS dataset, s.theta AS theta, s.theta_var AS var,
       s.theta_responses AS responses, mastery_kps, mastery_p, answer_ids,
       answer_correct, answer_ts, affect, adjustments, placed, s.placed_at AS placed_at, arms,
       s.model_state AS model_state
