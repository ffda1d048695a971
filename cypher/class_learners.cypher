// Every student of a class with what the class report reads of each, in one round trip: the
// recommender's view (dataset, IRT ability, BKT mastery, the latest $limit answers newest
// first and the placement, as rec_learner.cypher), the affect tags since $since oldest
// first, the consent, the daily profile's counts, and each estimate's chapter ('' for none:
// the caller averages them per chapter for the tutor's heat map, in the same pass over the
// estimates); students by id
MATCH (:Class {id: $class_id})<-[:MEMBER_OF]-(s:Student)
CALL {
  WITH s
  MATCH (s)-[m:MASTERY]->(k:KnowledgePoint)
  OPTIONAL MATCH (k)-[:IN_CHAPTER]->(c:Chapter)
  RETURN collect(k.id) AS mastery_kps, collect(m.p) AS mastery_p,
         collect(coalesce(c.id, '')) AS mastery_chapters
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
RETURN s.id AS student_id, coalesce(s.name, '') AS name, s.dataset AS dataset,
       s.theta AS theta, s.theta_var AS var, s.theta_responses AS responses, mastery_kps,
       mastery_p, mastery_chapters, answer_ids, answer_correct, affect, placed,
       s.placed_at AS placed_at,
       coalesce(s.affect_consent, false) AS consent,
       s.profile_attempts_7d AS attempts_7d, s.profile_time_spent_s AS time_spent_s,
       s.profile_last_active AS last_active
ORDER BY student_id
