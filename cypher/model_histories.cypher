// What keeping a student's model state reads, for a batch of students: the dataset, the latest
// $limit answers newest first (as rec_learner.cypher reads them) and the state kept so far;
// students by id, an unknown id left out
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})
CALL {
  WITH s
  MATCH (s)-[a:ATTEMPTED]->(q:Question)
  WITH a, q
  ORDER BY a.ts DESC, a.seq DESC
  LIMIT $limit
  RETURN collect(q.id) AS answer_ids, collect(a.correct) AS answer_correct
}
RETURN s.id AS student_id, s.dataset AS dataset, answer_ids, answer_correct,
       s.model_state AS model_state
ORDER BY student_id
