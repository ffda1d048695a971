// Per enrolled student what the report measures: arm and consent, practice answers and their
// time while the experiment ran ($from..$to, test answers left out), chapters completed (every
// KP of the chapter at mastery >= $tau), and the questionnaire
MATCH (s:Student)-[e:ENROLLED]->(x:Experiment {id: $id})
WHERE e.arm IS NOT NULL
CALL {
  WITH s
  OPTIONAL MATCH (s)-[a:ATTEMPTED]->(:Question)
  WHERE a.ts >= $from AND a.ts <= $to AND coalesce(a.source, '') <> 'test'
  RETURN count(a) AS answers, sum(coalesce(a.duration_s, 0.0)) AS seconds
}
CALL {
  WITH s
  MATCH (k:KnowledgePoint {dataset: s.dataset})-[:IN_CHAPTER]->(c:Chapter)
  OPTIONAL MATCH (s)-[m:MASTERY]->(k)
  WITH c, count(k) AS kps, sum(CASE WHEN m.p >= $tau THEN 1 ELSE 0 END) AS mastered
  RETURN count(c) AS chapters, sum(CASE WHEN mastered = kps THEN 1 ELSE 0 END) AS completed
}
OPTIONAL MATCH (r:QuestionnaireResponse {id: $id + '|' + s.id})
RETURN s.id AS student_id, e.arm AS arm, e.stratum AS stratum, e.consent AS consent,
       e.withdrawn_at AS withdrawn_at, answers, seconds, chapters, completed,
       r.answers AS likert
ORDER BY student_id
